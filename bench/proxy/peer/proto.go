package main

import (
	"encoding/binary"
	"fmt"
)

// proto knows where a protocol's frames end and where their request id sits.
type proto interface {
	// frameLen returns the length of the frame at the start of b, or 0 if more bytes are needed.
	frameLen(b []byte) (int, error)
	// idOffset returns the offset of the request id in a frame of this template.
	idOffset(frame []byte) (int, error)
	// getID reads the request id of a frame.
	getID(frame []byte, off int) uint64
	// putID writes the request id of a frame.
	putID(frame []byte, off int, id uint64)
	// replyOK says whether a reply frame reports success.
	replyOK(frame []byte) bool
}

func protoByName(name string) (proto, error) {
	switch name {
	case "thrift":
		return thriftProto{}, nil
	case "dubbo":
		return dubboProto{}, nil
	}
	return nil, fmt.Errorf("unknown protocol %q: use thrift or dubbo", name)
}

const maxFrame = 16 << 20

// thriftProto: framed transport, strict binary protocol.
type thriftProto struct{}

func (thriftProto) frameLen(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, nil
	}
	n := int(binary.BigEndian.Uint32(b))
	if n < 12 || n > maxFrame {
		return 0, fmt.Errorf("bad Thrift frame size %d", n)
	}
	if len(b) < 4+n {
		return 0, nil
	}
	return 4 + n, nil
}

func (thriftProto) idOffset(f []byte) (int, error) {
	if len(f) < 16 || f[4] != 0x80 || f[5] != 0x01 {
		return 0, fmt.Errorf("not a strict binary Thrift message")
	}
	off := 12 + int(binary.BigEndian.Uint32(f[8:]))
	if off+4 > len(f) {
		return 0, fmt.Errorf("thrift method name runs past the frame")
	}
	return off, nil
}

func (thriftProto) getID(f []byte, off int) uint64 { return uint64(binary.BigEndian.Uint32(f[off:])) }
func (thriftProto) putID(f []byte, off int, id uint64) {
	binary.BigEndian.PutUint32(f[off:], uint32(id))
}

// replyOK: message type REPLY (2); EXCEPTION (3) is a failed call.
func (thriftProto) replyOK(f []byte) bool { return len(f) > 7 && f[7] == 2 }

// dubboProto: 16-byte Dubbo header, id at 4..12, body length at 12..16.
type dubboProto struct{}

func (dubboProto) frameLen(b []byte) (int, error) {
	if len(b) < 16 {
		return 0, nil
	}
	if b[0] != 0xda || b[1] != 0xbb {
		return 0, fmt.Errorf("bad Dubbo magic %02x%02x", b[0], b[1])
	}
	n := int(binary.BigEndian.Uint32(b[12:]))
	if n < 0 || n > maxFrame {
		return 0, fmt.Errorf("bad Dubbo body size %d", n)
	}
	if len(b) < 16+n {
		return 0, nil
	}
	return 16 + n, nil
}

func (dubboProto) idOffset(f []byte) (int, error) {
	if len(f) < 16 {
		return 0, fmt.Errorf("short Dubbo frame")
	}
	return 4, nil
}
func (dubboProto) getID(f []byte, off int) uint64 { return binary.BigEndian.Uint64(f[off:]) }
func (dubboProto) putID(f []byte, off int, id uint64) {
	binary.BigEndian.PutUint64(f[off:], id)
}

// replyOK: a response (request bit clear) with status 20 (OK).
func (dubboProto) replyOK(f []byte) bool { return f[2]&0x80 == 0 && f[3] == 20 }
