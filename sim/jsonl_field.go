package sim

import (
	"errors"
	"net/netip"
	"strconv"
)

// fieldType says which JSON value a parsed field holds.
type fieldType uint8

// The kinds of JSON value of a trace line.
const (
	fieldInt    fieldType = iota // an integer that fits int64
	fieldUint                    // an integer above math.MaxInt64
	fieldFloat                   // a number with a fraction or exponent
	fieldString                  // a string
	fieldBool                    // true or false (Int 1 or 0)
)

// field is one key and value of a JSONL line, as the parser read it,
// before the record's type takes it (setField).
type field struct {
	Key  string
	Type fieldType
	Int  int64
	Uint uint64
	Num  float64
	Str  string
}

var (
	errWantInteger = errors.New("want an integer")
	errWantString  = errors.New("want a string")
	errWantBool    = errors.New("want true or false")
	errRange       = errors.New("integer out of range")
)

// uint returns a non-negative integer that fits in bits bits.
func (f *field) uint(bits int) (uint64, error) {
	var v uint64
	switch {
	case f.Type == fieldInt && f.Int >= 0:
		v = uint64(f.Int)
	case f.Type == fieldUint:
		v = f.Uint
	case f.Type == fieldInt:
		return 0, errRange
	default:
		return 0, errWantInteger
	}
	if bits < 64 && v >= 1<<bits {
		return 0, errRange
	}
	return v, nil
}

// int64 returns a signed integer.
func (f *field) int64() (int64, error) {
	switch {
	case f.Type == fieldInt:
		return f.Int, nil
	case f.Type == fieldUint:
		return 0, errRange
	}
	return 0, errWantInteger
}

func (f *field) str() (string, error) {
	if f.Type != fieldString {
		return "", errWantString
	}
	return f.Str, nil
}

func (f *field) boolean() (bool, error) {
	if f.Type != fieldBool {
		return false, errWantBool
	}
	return f.Int != 0, nil
}

// addr returns an IP address; "invalid IP" (the text of the zero
// netip.Addr) and "" read as the zero address.
func (f *field) addr() (netip.Addr, error) {
	return parseText(f, netip.ParseAddr, "an IP address")
}

// addrPort returns an address and port; "invalid AddrPort" (the text of
// the zero netip.AddrPort) and "" read as the zero value.
func (f *field) addrPort() (netip.AddrPort, error) {
	return parseText(f, netip.ParseAddrPort, "an address:port")
}

// parseText returns the string field f parsed by parse; "" and the text
// of T's zero value (what the writer prints for it) read as the zero
// value. what names a T in the error.
func parseText[T interface{ String() string }](f *field, parse func(string) (T, error), what string) (T, error) {
	var zero T
	s, err := f.str()
	if err != nil || s == "" || s == zero.String() {
		return zero, err
	}
	v, err := parse(s)
	if err != nil {
		return zero, errors.New("not " + what + ": " + strconv.Quote(s))
	}
	return v, nil
}
