package etf

// Option tunes how Marshal, ToTerm, Unmarshal and Convert map Go values to
// terms. Options that only matter in one direction are ignored in the
// other.
type Option func(*options)

// options is the resolved configuration of the reflection layer. It is a
// small value copied per call, so concurrent calls never share state.
type options struct {
	nilAtom            Atom // encoding of nil pointers and interfaces
	stringsAsCharlists bool // Go string -> Erlang string (list) instead of binary
	structsAsTuples    bool // unmarked structs -> plain tuples
	binaryFieldKeys    bool // struct field keys as binaries instead of atoms
	atomMapKeys        bool // map[string]T keys as atoms instead of binaries
	disallowUnknown    bool // decoding: unknown map keys into a struct fail
	limits             *Limits
}

func defaultOptions() options {
	return options{nilAtom: "nil"}
}

func buildOptions(opts []Option) options {
	if len(opts) == 0 {
		return defaultOptions() // keeps the common case off the heap
	}
	return applyOptions(opts)
}

func applyOptions(opts []Option) options {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// WithNilAtom sets the atom that nil pointers and nil interfaces encode as
// (nil slices encode as [] and nil maps as #{}). The default is nil, Elixir's nil; Erlang code usually expects
// undefined. Decoding accepts both nil and undefined (and this atom) as
// nil whatever this option says.
func WithNilAtom(a Atom) Option {
	return func(o *options) { o.nilAtom = a }
}

// WithStringsAsCharlists encodes Go strings as Erlang strings (lists of
// code points, what Erlang's "abc" means) instead of binaries (what
// Elixir's "abc" means). Use it for Erlang APIs that expect strings, such as
// io:format formats or file names.
func WithStringsAsCharlists() Option {
	return func(o *options) { o.stringsAsCharlists = true }
}

// WithStructsAsTuples encodes every struct that has no Record or
// ElixirStruct marker as a plain tuple of its fields in declaration order,
// and decodes such structs from tuples of the same size. Structs marked
// with Record always use tuples and need no option.
func WithStructsAsTuples() Option {
	return func(o *options) { o.structsAsTuples = true }
}

// WithBinaryFieldKeys encodes struct field names as binaries (Elixir
// "name" => ...) instead of atoms (name: ...), for maps that came from JSON
// or other string-keyed sources. Decoding always accepts both.
func WithBinaryFieldKeys() Option {
	return func(o *options) { o.binaryFieldKeys = true }
}

// WithAtomMapKeys encodes the keys of Go maps with string keys as atoms
// instead of binaries. Decoding into a map with string keys always accepts
// atom, binary and charlist keys.
func WithAtomMapKeys() Option {
	return func(o *options) { o.atomMapKeys = true }
}

// WithDisallowUnknownFields makes decoding a map into a struct fail with
// ErrUnknownField when the map has a key that matches no field. The
// __struct__ key of Elixir structs is always allowed.
func WithDisallowUnknownFields() Option {
	return func(o *options) { o.disallowUnknown = true }
}

// WithLimits sets the decoder limits Unmarshal uses on its input. The zero
// Limits means the decoder's defaults.
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = &l }
}
