//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"unsafe"
)

// The epoll variants of load and serve run every connection on one thread with one
// epoll_wait per batch of ready sockets and plain read/write system calls: no goroutine
// parks and wakes per call, which the measurements in bench/proxy/README.md found cheaper.

func epollCreate() (int, error) { return syscall.EpollCreate1(syscall.EPOLL_CLOEXEC) }

func epollAdd(ep, fd int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	return syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev)
}

func sockaddr(addr string) (*syscall.SockaddrInet4, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("cannot read address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	ip := net.ParseIP(host).To4()
	if err != nil || ip == nil {
		return nil, fmt.Errorf("cannot read address %q: want IPv4:port", addr)
	}
	sa := &syscall.SockaddrInet4{Port: port}
	copy(sa.Addr[:], ip)
	return sa, nil
}

// dialRaw opens a blocking connect, then switches the socket to non-blocking with TCP_NODELAY.
func dialRaw(sa *syscall.SockaddrInet4) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	return fd, tune(fd)
}

func tune(fd int) error {
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		return err
	}
	return syscall.SetNonblock(fd, true)
}

// The hot path calls the kernel with RawSyscall: the loop is the process's only goroutine and
// allocates nothing, so telling the scheduler about each call (entersyscall/exitsyscall, and
// the sysmon wake-ups it causes) is pure overhead. epoll_wait's timeout bounds a blocked call.
func rawRead(fd int, b []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
}

func rawWrite(fd int, b []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
}

func rawEpollWait(ep int, events []syscall.EpollEvent, msec int) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(msec), 0, 0)
	return int(n), e
}

// writeAll writes b to a non-blocking socket; the closed loop bounds what is in flight to a
// few frames, so the socket buffer has room and the retry loop practically never spins.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := rawWrite(fd, b)
		if err == syscall.EAGAIN || err == syscall.EINTR {
			continue
		}
		if err != 0 {
			return err
		}
		b = b[n:]
	}
	return nil
}

// errPeerClosed is the end of a connection the peer closed.
var errPeerClosed = errors.New("connection closed by the peer")

// readSome reads into b; (0, nil) means nothing to read now, io closed is an error.
func readSome(fd int, b []byte) (int, error) {
	n, err := rawRead(fd, b)
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return 0, nil
	}
	if err != 0 {
		return 0, err
	}
	if n == 0 {
		return 0, errPeerClosed
	}
	return n, nil
}
