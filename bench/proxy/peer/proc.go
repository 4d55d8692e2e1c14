package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cpuTicks returns utime+stime of a process in clock ticks, from /proc/<pid>/stat.
func cpuTicks(pid string) (uint64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	// The command name is in parentheses and may hold spaces: fields start after the last ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("cannot parse /proc/%s/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("cannot parse /proc/%s/stat: too few fields", pid)
	}
	// After ')': state is field 3 of stat(5), utime 14, stime 15 → indices 11 and 12 here.
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot parse CPU times in /proc/%s/stat", pid)
	}
	return u + st, nil
}

// watch is a named group of processes whose CPU time is summed.
type watch struct {
	name string
	pids []string
}

// parseWatch reads "name:pid+pid,name:pid".
func parseWatch(s string) ([]watch, error) {
	var out []watch
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, pids, ok := strings.Cut(part, ":")
		if !ok || name == "" || pids == "" {
			return nil, fmt.Errorf("bad -watch entry %q: want name:pid[+pid...]", part)
		}
		out = append(out, watch{name, strings.Split(pids, "+")})
	}
	return out, nil
}

func (w watch) ticks() (uint64, error) {
	var sum uint64
	for _, p := range w.pids {
		t, err := cpuTicks(p)
		if err != nil {
			return 0, err
		}
		sum += t
	}
	return sum, nil
}
