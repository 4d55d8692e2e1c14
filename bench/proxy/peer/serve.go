package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"os"
)

// replier appends the reply to one request frame (or nothing, for oneway calls).
type replier func(out, req []byte) []byte

// thriftReply answers a strict-binary CALL of `string m(1: string s)` with the REPLY whose
// result is that string: the request with its type set to REPLY and field 1 renamed field 0
// (the result's success field). Other argument shapes get an empty (void) result.
func thriftReply(out, req []byte) []byte {
	if len(req) < 16 || req[4] != 0x80 || req[5] != 0x01 {
		return out // not strict binary: the load generator's template never is
	}
	if req[7] != 1 {
		return out // oneway (4) or not a call: no reply
	}
	idOff, err := thriftProto{}.idOffset(req)
	if err != nil {
		return out
	}
	field := idOff + 4
	if field+3 <= len(req) && req[field] == 11 && req[field+1] == 0 && req[field+2] == 1 {
		at := len(out)
		out = append(out, req...)
		out[at+7] = 2
		out[at+field+2] = 0
		return out
	}
	at := len(out)
	out = append(out, req[:field]...)
	out = append(out, 0) // field stop: an empty result struct
	binary.BigEndian.PutUint32(out[at:], uint32(field+1-4))
	out[at+7] = 2
	return out
}

// dubboReplier answers two-way requests with the template response (status 20) carrying the
// request's id, and heartbeats with a heartbeat response.
func dubboReplier(template []byte) replier {
	return func(out, req []byte) []byte {
		flag := req[2]
		if flag&0x80 == 0 || flag&0x40 == 0 {
			return out // a response, or a oneway request
		}
		at := len(out)
		if flag&0x20 != 0 {
			out = append(out, 0xda, 0xbb, 0x20|flag&0x1f, 20)
			out = append(out, req[4:12]...)
			return append(out, 0, 0, 0, 1, 'N')
		}
		out = append(out, template...)
		copy(out[at+4:at+12], req[4:12])
		return out
	}
}

func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	protoName := fs.String("proto", "thrift", "thrift or dubbo")
	replyFile := fs.String("reply", "", "dubbo: file holding the response frame to answer with")
	io := fs.String("io", "epoll", "epoll (one thread, raw system calls) or goroutines (net.Conn)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := protoByName(*protoName)
	if err != nil {
		return err
	}
	reply := replier(thriftReply)
	if *protoName == "dubbo" {
		tmpl, err := os.ReadFile(*replyFile)
		if err != nil {
			return fmt.Errorf("cannot read the Dubbo response frame: %w", err)
		}
		if size, err := p.frameLen(tmpl); err != nil || size != len(tmpl) {
			return fmt.Errorf("cannot use %q as a Dubbo response: not exactly one frame", *replyFile)
		}
		reply = dubboReplier(tmpl)
	}
	switch *io {
	case "epoll":
		return epollServe(*listen, p, reply)
	case "goroutines":
	default:
		return fmt.Errorf("unknown -io %q: use epoll or goroutines", *io)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %q: %w", *listen, err)
	}
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveConn(c.(*net.TCPConn), p, reply)
	}
}

// serveConn answers every whole frame of each read with one write; a bad frame closes the
// connection (and says why on stderr).
func serveConn(c *net.TCPConn, p proto, reply replier) {
	defer c.Close()
	c.SetNoDelay(true)
	rbuf := make([]byte, 64<<10)
	wbuf := make([]byte, 0, 64<<10)
	have := 0
	for {
		n, err := c.Read(rbuf[have:])
		if err != nil {
			return
		}
		have += n
		at := 0
		wbuf = wbuf[:0]
		for {
			size, err := p.frameLen(rbuf[at:have])
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchpeer serve: closing a connection:", err)
				return
			}
			if size == 0 {
				break
			}
			wbuf = reply(wbuf, rbuf[at:at+size])
			at += size
		}
		have = copy(rbuf, rbuf[at:have])
		if have == len(rbuf) {
			rbuf = append(rbuf, make([]byte, len(rbuf))...)
		}
		if len(wbuf) > 0 {
			if _, err := c.Write(wbuf); err != nil {
				return
			}
		}
	}
}
