//go:build linux

package main

import (
	"fmt"
	"syscall"
	"time"
)

// epollConn is a loadConn driven by the epoll loop instead of its own goroutine.
type epollConn struct {
	loadConn
	fd   int
	have int
	dead bool
}

func (ec *epollConn) sendRaw(now, endNs int64) error {
	if now >= endNs || len(ec.free) == 0 {
		return nil
	}
	for j, s := range ec.free {
		ec.counter++
		id := ec.counter<<6 | uint64(s)
		ec.p.putID(ec.wbuf[j*ec.frameSize:], ec.idOff, id)
		ec.ids[s], ec.sentAt[s], ec.busy[s] = id, now, true
	}
	err := writeAll(ec.fd, ec.wbuf[:len(ec.free)*ec.frameSize])
	ec.free = ec.free[:0]
	return err
}

// readable handles one readiness event: read, account whole replies, send their successors.
func (ec *epollConn) readable(now, startNs, endNs int64) error {
	n, err := readSome(ec.fd, ec.rbuf[ec.have:])
	if err != nil || n == 0 {
		return err
	}
	ec.have += n
	at := 0
	for {
		size, err := ec.p.frameLen(ec.rbuf[at:ec.have])
		if err != nil {
			return err
		}
		if size == 0 {
			break
		}
		if err := ec.complete(ec.rbuf[at:at+size], now, startNs, endNs); err != nil {
			return err
		}
		at += size
	}
	ec.have = copy(ec.rbuf, ec.rbuf[at:ec.have])
	if ec.have == len(ec.rbuf) {
		ec.rbuf = append(ec.rbuf, make([]byte, len(ec.rbuf))...)
	}
	return ec.sendRaw(now, endNs)
}

// epollLoad runs every connection on this thread until endNs, reading the watched processes'
// CPU at startNs and endNs. It returns the ticks before and after.
func epollLoad(lcs []*epollConn, startNs, endNs int64, watches []watch) ([]uint64, []uint64, error) {
	ep, err := epollCreate()
	if err != nil {
		return nil, nil, err
	}
	defer syscall.Close(ep)
	byFd := map[int32]*epollConn{}
	for _, ec := range lcs {
		if err := epollAdd(ep, ec.fd); err != nil {
			return nil, nil, err
		}
		byFd[int32(ec.fd)] = ec
		for s := 0; s < ec.depth; s++ {
			ec.free = append(ec.free, s)
		}
		if err := ec.sendRaw(nowNs(), endNs); err != nil {
			return nil, nil, err
		}
	}
	events := make([]syscall.EpollEvent, 256)
	var before []uint64
	for {
		now := nowNs()
		if before == nil && now >= startNs {
			if before, err = readTicks(watches); err != nil {
				return nil, nil, err
			}
		}
		if now >= endNs {
			after, err := readTicks(watches)
			return before, after, err
		}
		next := endNs
		if before == nil {
			next = startNs
		}
		n, errno := rawEpollWait(ep, events, int((next-now)/1e6)+1)
		if errno == syscall.EINTR {
			n = 0
		} else if errno != 0 {
			return nil, nil, fmt.Errorf("epoll_wait: %w", errno)
		}
		now = nowNs()
		for i := 0; i < n; i++ {
			ec := byFd[events[i].Fd]
			if ec.dead {
				continue
			}
			if err := ec.readable(now, startNs, endNs); err != nil {
				ec.err, ec.dead = err, true
				syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, ec.fd, nil)
			}
		}
	}
}

func loadEpoll(addr string, n int, mk func() loadConn, warmup, duration time.Duration,
	watches []watch) ([]*loadConn, []uint64, []uint64, error) {
	sa, err := sockaddr(addr)
	if err != nil {
		return nil, nil, nil, err
	}
	ecs := make([]*epollConn, 0, n)
	defer func() {
		for _, ec := range ecs {
			syscall.Close(ec.fd)
		}
	}()
	for i := 0; i < n; i++ {
		fd, err := dialRaw(sa)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cannot connect to %q: %w", addr, err)
		}
		ecs = append(ecs, &epollConn{loadConn: mk(), fd: fd})
	}
	startNs := nowNs() + int64(warmup)
	before, after, err := epollLoad(ecs, startNs, startNs+int64(duration), watches)
	if err != nil {
		return nil, nil, nil, err
	}
	lcs := make([]*loadConn, len(ecs))
	for i, ec := range ecs {
		lcs[i] = &ec.loadConn
	}
	return lcs, before, after, nil
}
