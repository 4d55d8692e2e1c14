// Command benchpeer is the test peer of `deno task bench:proxy`: a closed-loop load generator
// (`benchpeer load`) and an echo-style upstream server (`benchpeer serve`) for Thrift framed
// binary and Dubbo calls. It is a test peer, not product code: the frames it sends and the
// reply templates it answers with are written by the TypeScript harness (bench/proxy/frames.ts),
// so their contents are checked by the project's codecs; this program only stamps request ids
// into them and checks the ids of what comes back.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchpeer load|serve [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "load":
		err = runLoad(os.Args[2:])
	case "serve":
		err = runServe(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q: use load or serve", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpeer:", err)
		os.Exit(1)
	}
}
