package etf

// appendOther encodes a Go value that is not one of the term types (a
// struct, a typed slice or map, a pointer, a named scalar type ...) by
// mapping it with ToTerm's default rules and encoding the resulting term.
// This is what lets the node layer send Go values directly; use ToTerm or
// Marshal with options to change the rules.
func (e *Encoder) appendOther(dst []byte, v any) ([]byte, error) {
	t, err := ToTerm(v)
	if err != nil {
		return dst, err
	}
	return e.AppendTerm(dst, t)
}
