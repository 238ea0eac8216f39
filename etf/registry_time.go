package etf

import (
	"math/big"
	"reflect"
	"time"
)

// time.Time travels as an integer: nanoseconds since the Unix epoch, UTC,
// which is erlang:system_time(nanosecond)'s unit and what
// DateTime.from_unix(n, :nanosecond) and
// calendar:system_time_to_rfc3339(N, [{unit, nanosecond}]) take. It is
// exact for every time.Time (outside ±292 years it is a bignum) and keeps
// time ordering as integer ordering; the location is not sent, so the
// receiver gets the same instant in UTC. Decoding also accepts an Elixir
// %DateTime{} (microsecond precision, its UTC offset applied).
//
// time.Duration, an int64 of nanoseconds, is an integer like any other
// int64: erlang:convert_time_unit(D, nanosecond, millisecond) gives
// milliseconds.

var nsPerSec = big.NewInt(1e9)

func encTime(_ Encoder, dst []byte, v reflect.Value, _ int) ([]byte, error) {
	t, _ := reflect.TypeAssert[time.Time](v) // no boxing, unlike Interface
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	const lim = int64(1<<63-1) / 1e9
	if sec > -lim && sec < lim {
		return appendInt(dst, sec*1e9+nsec), nil
	}
	n := new(big.Int).Mul(big.NewInt(sec), nsPerSec)
	return appendBig(dst, n.Add(n, big.NewInt(nsec))), nil
}

func decTime(t Term, v reflect.Value, _ int) error {
	var tm time.Time
	switch x := t.(type) {
	case int:
		tm = time.Unix(0, int64(x)).UTC()
	case *big.Int:
		if x == nil || x.BitLen() > 100 {
			return regTypeErr(t, v, ErrOverflow)
		}
		sec, nsec := new(big.Int).DivMod(x, nsPerSec, new(big.Int))
		if !sec.IsInt64() {
			return regTypeErr(t, v, ErrOverflow)
		}
		tm = time.Unix(sec.Int64(), nsec.Int64()).UTC()
	case Map:
		var ok bool
		if tm, ok = elixirDateTime(x); !ok {
			return regTypeErr(t, v, ErrType)
		}
	default:
		return regTypeErr(t, v, ErrType)
	}
	if v.CanAddr() {
		*v.Addr().Interface().(*time.Time) = tm // a pointer boxes for free
	} else {
		v.Set(reflect.ValueOf(tm))
	}
	return nil
}

// elixirDateTime reads a %DateTime{} (Calendar.ISO).
func elixirDateTime(m Map) (time.Time, bool) {
	if s, _ := m.Get(Atom("__struct__")); s != Term(Atom("Elixir.DateTime")) {
		return time.Time{}, false
	}
	num := func(k Atom) (int, bool) {
		x, _ := m.Get(k)
		n, ok := x.(int)
		return n, ok && n > -1<<40 && n < 1<<40
	}
	var f [8]int
	for i, k := range []Atom{"year", "month", "day", "hour", "minute", "second", "utc_offset", "std_offset"} {
		n, ok := num(k)
		if !ok {
			return time.Time{}, false
		}
		f[i] = n
	}
	us := 0
	if mt, _ := m.Get(Atom("microsecond")); mt != nil {
		tup, ok := mt.(Tuple)
		if !ok || len(tup) != 2 {
			return time.Time{}, false
		}
		if us, ok = tup[0].(int); !ok || us < 0 || us > 999999 {
			return time.Time{}, false
		}
	}
	wall := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], us*1000, time.UTC)
	return wall.Add(-time.Duration(f[6]+f[7]) * time.Second), true
}
