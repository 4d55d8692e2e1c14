//go:build linux

package main

import (
	"fmt"
	"os"
	"syscall"
)

type serveState struct {
	rbuf []byte
	have int
}

// epollServe answers every connection on this thread: each readiness event reads once, and
// the replies to every whole frame read leave in one write.
func epollServe(addr string, p proto, reply replier) error {
	sa, err := sockaddr(addr)
	if err != nil {
		return err
	}
	ln, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		return err
	}
	syscall.SetsockoptInt(ln, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(ln, sa); err != nil {
		return fmt.Errorf("cannot listen on %q: %w", addr, err)
	}
	if err := syscall.Listen(ln, 4096); err != nil {
		return err
	}
	bound, err := syscall.Getsockname(ln)
	if err != nil {
		return err
	}
	fmt.Printf("listening %d\n", bound.(*syscall.SockaddrInet4).Port)
	ep, err := epollCreate()
	if err != nil {
		return err
	}
	if err := epollAdd(ep, ln); err != nil {
		return err
	}
	conns := map[int32]*serveState{}
	events := make([]syscall.EpollEvent, 256)
	wbuf := make([]byte, 0, 64<<10)
	for {
		n, errno := rawEpollWait(ep, events, 1000)
		if errno == syscall.EINTR {
			n = 0
		} else if errno != 0 {
			return fmt.Errorf("epoll_wait: %w", errno)
		}
		for i := 0; i < n; i++ {
			fd := events[i].Fd
			if int(fd) == ln {
				acceptAll(ep, ln, conns)
				continue
			}
			st := conns[fd]
			if st == nil {
				continue
			}
			if wbuf, err = serveReadable(int(fd), st, p, reply, wbuf[:0]); err != nil {
				if err != errPeerClosed {
					fmt.Fprintln(os.Stderr, "benchpeer serve: closing a connection:", err)
				}
				syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, int(fd), nil)
				syscall.Close(int(fd))
				delete(conns, fd)
			}
		}
	}
}

func acceptAll(ep, ln int, conns map[int32]*serveState) {
	for {
		fd, _, err := syscall.Accept4(ln, syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK)
		if err != nil {
			return // EAGAIN: no more pending connections
		}
		if tune(fd) != nil || epollAdd(ep, fd) != nil {
			syscall.Close(fd)
			continue
		}
		conns[int32(fd)] = &serveState{rbuf: make([]byte, 64<<10)}
	}
}

func serveReadable(fd int, st *serveState, p proto, reply replier, wbuf []byte) ([]byte, error) {
	n, err := readSome(fd, st.rbuf[st.have:])
	if err != nil || n == 0 {
		return wbuf, err
	}
	st.have += n
	at := 0
	for {
		size, err := p.frameLen(st.rbuf[at:st.have])
		if err != nil {
			return wbuf, err
		}
		if size == 0 {
			break
		}
		wbuf = reply(wbuf, st.rbuf[at:at+size])
		at += size
	}
	st.have = copy(st.rbuf, st.rbuf[at:st.have])
	if st.have == len(st.rbuf) {
		st.rbuf = append(st.rbuf, make([]byte, len(st.rbuf))...)
	}
	if len(wbuf) > 0 {
		return wbuf, writeAll(fd, wbuf)
	}
	return wbuf, nil
}
