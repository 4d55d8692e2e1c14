package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

const maxDepth = 64 // request ids carry the slot in their low 6 bits

// loadConn is one closed-loop client connection. Everything it touches per call is
// preallocated: the write buffer of depth frames, the read buffer and the histogram.
type loadConn struct {
	c         *net.TCPConn
	p         proto
	wbuf      []byte // depth copies of the request template
	frameSize int
	idOff     int
	depth     int
	rbuf      []byte
	h         hist
	calls     uint64 // replies completed inside the measured window
	failed    uint64 // replies inside the window that report a failure
	counter   uint64
	ids       [maxDepth]uint64
	sentAt    [maxDepth]int64
	busy      [maxDepth]bool
	free      []int
	err       error
}

// clock is monotonic nanoseconds since the run began.
var base = time.Now()

func nowNs() int64 { return int64(time.Since(base)) }

func (lc *loadConn) send(endNs int64) error {
	now := nowNs()
	if now >= endNs || len(lc.free) == 0 {
		return nil
	}
	for j, s := range lc.free {
		lc.counter++
		id := lc.counter<<6 | uint64(s)
		lc.p.putID(lc.wbuf[j*lc.frameSize:], lc.idOff, id)
		lc.ids[s], lc.sentAt[s], lc.busy[s] = id, now, true
	}
	_, err := lc.c.Write(lc.wbuf[:len(lc.free)*lc.frameSize])
	lc.free = lc.free[:0]
	return err
}

// run drives the connection until it is closed; errors after endNs are the harness closing it.
func (lc *loadConn) run(startNs, endNs int64) {
	for s := 0; s < lc.depth; s++ {
		lc.free = append(lc.free, s)
	}
	if err := lc.send(endNs); err != nil {
		lc.err = err
		return
	}
	have := 0
	for {
		n, err := lc.c.Read(lc.rbuf[have:])
		now := nowNs()
		if err != nil {
			if now < endNs {
				lc.err = fmt.Errorf("connection lost: %w", err)
			}
			return
		}
		have += n
		at := 0
		for {
			size, ferr := lc.p.frameLen(lc.rbuf[at:have])
			if ferr != nil {
				lc.err = ferr
				return
			}
			if size == 0 {
				break
			}
			if err := lc.complete(lc.rbuf[at:at+size], now, startNs, endNs); err != nil {
				lc.err = err
				return
			}
			at += size
		}
		have = copy(lc.rbuf, lc.rbuf[at:have])
		if have == len(lc.rbuf) {
			lc.rbuf = append(lc.rbuf, make([]byte, len(lc.rbuf))...)
		}
		if err := lc.send(endNs); err != nil {
			if nowNs() < endNs {
				lc.err = err
			}
			return
		}
	}
}

// complete accounts one whole reply frame, which must carry the id of an outstanding call.
func (lc *loadConn) complete(frame []byte, now, startNs, endNs int64) error {
	off, err := lc.p.idOffset(frame)
	if err != nil {
		return fmt.Errorf("bad reply: %w", err)
	}
	id := lc.p.getID(frame, off)
	s := int(id & (maxDepth - 1))
	if s >= lc.depth || !lc.busy[s] || lc.ids[s] != id {
		return fmt.Errorf("reply with unexpected request id %d", id)
	}
	lc.busy[s] = false
	lc.free = append(lc.free, s)
	if lc.sentAt[s] >= startNs && now <= endNs {
		lc.calls++
		lc.h.record(uint64(now - lc.sentAt[s]))
		if !lc.p.replyOK(frame) {
			lc.failed++
		}
	}
	return nil
}

type loadResult struct {
	Proto      string             `json:"proto"`
	Conns      int                `json:"conns"`
	Depth      int                `json:"depth"`
	Seconds    float64            `json:"seconds"`
	Calls      uint64             `json:"calls"`
	Failed     uint64             `json:"failed"`
	Lost       int                `json:"lost"`
	LostReason string             `json:"lost_reason,omitempty"`
	RPS        float64            `json:"rps"`
	P50        float64            `json:"p50_us"`
	P99        float64            `json:"p99_us"`
	P999       float64            `json:"p999_us"`
	Max        float64            `json:"max_us"`
	Mean       float64            `json:"mean_us"`
	CPU        map[string]float64 `json:"cpu_us"`
}

type loadFlags struct {
	addr, protoName, reqFile, watch, io string
	conns, depth, hz                    int
	duration, warmup                    time.Duration
}

func parseLoadFlags(args []string) (*loadFlags, error) {
	f := &loadFlags{}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&f.addr, "addr", "", "host:port to call")
	fs.StringVar(&f.protoName, "proto", "thrift", "thrift or dubbo")
	fs.StringVar(&f.reqFile, "request", "", "file holding one request frame (the template)")
	fs.IntVar(&f.conns, "c", 32, "connections")
	fs.IntVar(&f.depth, "depth", 1, "calls in flight per connection (pipelining)")
	fs.DurationVar(&f.duration, "d", 10*time.Second, "measured duration")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "unmeasured load before the measured window")
	fs.StringVar(&f.watch, "watch", "", "processes whose CPU to measure: name:pid[+pid],...")
	fs.IntVar(&f.hz, "hz", 100, "clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK)")
	fs.StringVar(&f.io, "io", "epoll", "epoll (one thread, raw system calls) or goroutines (net.Conn)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if f.depth < 1 || f.depth > maxDepth {
		return nil, fmt.Errorf("cannot pipeline %d calls: depth must be between 1 and %d", f.depth, maxDepth)
	}
	return f, nil
}

func runLoad(args []string) error {
	f, err := parseLoadFlags(args)
	if err != nil {
		return err
	}
	p, err := protoByName(f.protoName)
	if err != nil {
		return err
	}
	tmpl, err := os.ReadFile(f.reqFile)
	if err != nil {
		return fmt.Errorf("cannot read the request frame: %w", err)
	}
	if size, err := p.frameLen(tmpl); err != nil || size != len(tmpl) {
		return fmt.Errorf("cannot use %q as a %s request: not exactly one frame", f.reqFile, f.protoName)
	}
	idOff, err := p.idOffset(tmpl)
	if err != nil {
		return err
	}
	watches, err := parseWatch(f.watch)
	if err != nil {
		return err
	}
	watches = append(watches, watch{"loadgen", []string{"self"}})
	mk := func() loadConn {
		lc := loadConn{p: p, frameSize: len(tmpl), idOff: idOff, depth: f.depth,
			rbuf: make([]byte, 64<<10), free: make([]int, 0, maxDepth)}
		for i := 0; i < f.depth; i++ {
			lc.wbuf = append(lc.wbuf, tmpl...)
		}
		return lc
	}
	var lcs []*loadConn
	var before, after []uint64
	switch f.io {
	case "epoll":
		lcs, before, after, err = loadEpoll(f.addr, f.conns, mk, f.warmup, f.duration, watches)
	case "goroutines":
		lcs, before, after, err = loadGoroutines(f.addr, f.conns, mk, f.warmup, f.duration, watches)
	default:
		err = fmt.Errorf("unknown -io %q: use epoll or goroutines", f.io)
	}
	if err != nil {
		return err
	}
	res := summarize(lcs, f.protoName, f.depth, f.duration)
	res.CPU = map[string]float64{}
	for i, w := range watches {
		res.CPU[w.name] = float64(after[i]-before[i]) * 1e6 / float64(f.hz)
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

func loadGoroutines(addr string, n int, mk func() loadConn, warmup, duration time.Duration,
	watches []watch) ([]*loadConn, []uint64, []uint64, error) {
	lcs, err := dialAll(addr, n, func(c *net.TCPConn) *loadConn { lc := mk(); lc.c = c; return &lc })
	if err != nil {
		return nil, nil, nil, err
	}
	startNs := nowNs() + int64(warmup)
	endNs := startNs + int64(duration)
	var wg sync.WaitGroup
	for _, lc := range lcs {
		wg.Add(1)
		go func(lc *loadConn) { defer wg.Done(); lc.run(startNs, endNs) }(lc)
	}
	time.Sleep(time.Duration(startNs - nowNs()))
	before, err := readTicks(watches)
	if err != nil {
		return nil, nil, nil, err
	}
	time.Sleep(time.Duration(endNs - nowNs()))
	after, err := readTicks(watches)
	if err != nil {
		return nil, nil, nil, err
	}
	// Replies already on the way are still counted if they arrived before endNs.
	time.Sleep(20 * time.Millisecond)
	for _, lc := range lcs {
		lc.c.Close()
	}
	wg.Wait()
	return lcs, before, after, nil
}

func dialAll(addr string, n int, mk func(*net.TCPConn) *loadConn) ([]*loadConn, error) {
	out := make([]*loadConn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			for _, lc := range out {
				lc.c.Close()
			}
			return nil, fmt.Errorf("cannot connect to %q: %w", addr, err)
		}
		tc := c.(*net.TCPConn)
		tc.SetNoDelay(true)
		out = append(out, mk(tc))
	}
	return out, nil
}

func readTicks(ws []watch) ([]uint64, error) {
	out := make([]uint64, len(ws))
	for i, w := range ws {
		t, err := w.ticks()
		if err != nil {
			return nil, fmt.Errorf("cannot read the CPU time of %q: %w", w.name, err)
		}
		out[i] = t
	}
	return out, nil
}

func summarize(lcs []*loadConn, protoName string, depth int, d time.Duration) loadResult {
	var h hist
	res := loadResult{Proto: protoName, Conns: len(lcs), Depth: depth, Seconds: d.Seconds()}
	for _, lc := range lcs {
		h.merge(&lc.h)
		res.Calls += lc.calls
		res.Failed += lc.failed
		if lc.err != nil && !errors.Is(lc.err, net.ErrClosed) {
			res.Lost++
			res.LostReason = lc.err.Error()
		}
	}
	us := func(ns uint64) float64 {
		v, _ := strconv.ParseFloat(fmt.Sprintf("%.1f", float64(ns)/1e3), 64)
		return v
	}
	res.RPS = float64(res.Calls) / d.Seconds()
	res.P50, res.P99, res.P999 = us(h.quantile(0.5)), us(h.quantile(0.99)), us(h.quantile(0.999))
	res.Max = us(h.max)
	if h.total > 0 {
		res.Mean = us(h.sum / h.total)
	}
	return res
}
