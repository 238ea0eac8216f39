package etf

import (
	"math/big"
	"reflect"
	"strings"
	"sync"
)

// Record marks a Go struct as an Erlang record. Put it in a blank field
// whose tag is the record name:
//
//	type Point struct {
//		_    etf.Record `etf:"point"`
//		X, Y int
//	}
//
// Such a struct encodes as the tuple {point, X, Y} (fields in declaration
// order, omitempty ignored), which is what -record(point, {x, y}) is at run
// time, and decodes only from a tuple with that first element and exactly
// that size. An empty tag gives a plain tuple {X, Y} without a name.
type Record struct{}

var (
	elixirStructType = reflect.TypeFor[ElixirStruct]()
	recordType       = reflect.TypeFor[Record]()
)

// fieldInfo describes one encodable struct field.
type fieldInfo struct {
	name      string // key in the map
	index     []int  // path for reflect.Value.FieldByIndex
	typ       reflect.Type
	omitEmpty bool
	tagged    bool // name came from a tag (wins conflicts of equal depth)
	depth     int  // embedding depth
}

// structInfo is the cached, read-only mapping of one struct type.
type structInfo struct {
	fields   []fieldInfo
	byName   map[string]int // exact key -> field
	byFold   map[string]int // lower-cased key -> field, fallback
	module   Atom           // Elixir module when isElixir
	isElixir bool
	record   Atom // record name when isRecord ("" means untagged tuple)
	isRecord bool
}

// structCache maps reflect.Type to *structInfo. It only ever caches facts
// derived from a type, so sharing it between nodes in one process is safe.
var structCache sync.Map

func cachedStructInfo(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	si, _ := structCache.LoadOrStore(t, buildStructInfo(t))
	return si.(*structInfo)
}

func buildStructInfo(t reflect.Type) *structInfo {
	si := &structInfo{}
	var all []fieldInfo
	collectFields(t, nil, 0, map[reflect.Type]bool{t: true}, &all, si)

	// Resolve name conflicts as encoding/json does: the shallowest field
	// wins; at equal depth a single tagged field wins; otherwise the name
	// is dropped altogether.
	count := map[string][]int{}
	for i, f := range all {
		count[f.name] = append(count[f.name], i)
	}
	keep := make([]bool, len(all))
	for _, idx := range count {
		best := idx[0]
		for _, i := range idx[1:] {
			if all[i].depth < all[best].depth {
				best = i
			}
		}
		var dominant []int
		for _, i := range idx {
			if all[i].depth == all[best].depth {
				dominant = append(dominant, i)
			}
		}
		if len(dominant) == 1 {
			keep[dominant[0]] = true
			continue
		}
		var tagged []int
		for _, i := range dominant {
			if all[i].tagged {
				tagged = append(tagged, i)
			}
		}
		if len(tagged) == 1 {
			keep[tagged[0]] = true
		}
	}
	si.byName = map[string]int{}
	si.byFold = map[string]int{}
	for i, f := range all {
		// An Elixir struct's __struct__ key comes from the marker; a
		// field of that name would duplicate it.
		if !keep[i] || (si.isElixir && f.name == "__struct__") {
			continue
		}
		n := len(si.fields)
		si.fields = append(si.fields, f)
		si.byName[f.name] = n
		if _, dup := si.byFold[strings.ToLower(f.name)]; !dup {
			si.byFold[strings.ToLower(f.name)] = n
		}
	}
	return si
}

func collectFields(t reflect.Type, index []int, depth int, onPath map[reflect.Type]bool, out *[]fieldInfo, si *structInfo) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("etf")
		switch sf.Type {
		case elixirStructType:
			if depth == 0 {
				si.isElixir, si.module = true, Atom(tag)
			}
			continue
		case recordType:
			if depth == 0 {
				si.isRecord, si.record = true, Atom(tag)
			}
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		path := append(append([]int(nil), index...), i)
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if name == "" && ft.Kind() == reflect.Struct {
				// An unexported embedded pointer cannot be allocated when
				// decoding; encoding/json skips it too.
				if !sf.IsExported() && sf.Type.Kind() == reflect.Pointer {
					continue
				}
				if !onPath[ft] {
					onPath[ft] = true
					collectFields(ft, path, depth+1, onPath, out, si)
					delete(onPath, ft)
				}
				continue
			}
			if !sf.IsExported() {
				continue
			}
		} else if !sf.IsExported() {
			continue
		}
		f := fieldInfo{name: name, index: path, typ: sf.Type, depth: depth, tagged: hasTag && name != ""}
		if f.name == "" {
			f.name = sf.Name
		}
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			if o == "omitempty" {
				f.omitEmpty = true
			}
		}
		*out = append(*out, f)
	}
}

// fieldByKey finds the field for a decoded map key: exact match first, then
// a case-insensitive one (so Go's Name matches Elixir's name).
func (si *structInfo) fieldByKey(key string) (int, bool) {
	if i, ok := si.byName[key]; ok {
		return i, true
	}
	i, ok := si.byFold[strings.ToLower(key)]
	return i, ok
}

// typeFlags caches, per type, the checks the reflection layer would
// otherwise repeat for every value: custom (un)marshalers and term types.
type typeFlags struct {
	// special: encode via ToTerm's general path (Marshaler,
	// TextMarshaler or a term type) whatever the addressability.
	special bool
	// ptrSpecial: *T has a Marshaler or TextMarshaler method; used when
	// the value is addressable.
	ptrSpecial bool
	// Decoding: *T implements Unmarshaler / TextUnmarshaler; T is a
	// term type.
	ptrUnmarshaler, ptrTextUnmarshaler, termType bool
}

var flagCache sync.Map // reflect.Type -> typeFlags

func flagsOf(t reflect.Type) typeFlags {
	// Predeclared and unnamed non-struct types (int, string, []int,
	// map[string]any ...) have no methods and are no term types: skip
	// the cache lookup for them.
	if t.PkgPath() == "" {
		switch t.Kind() {
		case reflect.Struct, reflect.Pointer, reflect.Interface:
		default:
			if t != bytesType {
				return typeFlags{}
			}
		}
	}
	if f, ok := flagCache.Load(t); ok {
		return f.(typeFlags)
	}
	f := typeFlags{
		special: t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
			isTermType(t) || t == reflect.TypeFor[*big.Int](),
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		f.ptrSpecial = pt.Implements(marshalerType) || pt.Implements(textMarshalerType)
		f.ptrUnmarshaler = pt.Implements(unmarshalerType)
		f.ptrTextUnmarshaler = pt.Implements(textUnmarshalerType)
	}
	f.termType = isTermType(t)
	flagCache.Store(t, f)
	return f
}
