// Spec: Distribution Protocol / Distribution Flags, https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html#distribution-flags

package dist

import (
	"math/bits"
	"strings"
)

// Flags is a set of DFLAG_* distribution capability flags exchanged in the
// handshake (erl_dist_protocol, "Distribution Flags"; values from OTP's
// dist.hrl).
type Flags uint64

// Distribution capability flags.
const (
	FlagPublished          Flags = 0x1       // DFLAG_PUBLISHED: visible node
	FlagAtomCache          Flags = 0x2       // DFLAG_ATOM_CACHE (obsolete)
	FlagExtendedReferences Flags = 0x4       // DFLAG_EXTENDED_REFERENCES
	FlagDistMonitor        Flags = 0x8       // DFLAG_DIST_MONITOR
	FlagFunTags            Flags = 0x10      // DFLAG_FUN_TAGS
	FlagDistMonitorName    Flags = 0x20      // DFLAG_DIST_MONITOR_NAME
	FlagHiddenAtomCache    Flags = 0x40      // DFLAG_HIDDEN_ATOM_CACHE (obsolete)
	FlagNewFunTags         Flags = 0x80      // DFLAG_NEW_FUN_TAGS
	FlagExtendedPidsPorts  Flags = 0x100     // DFLAG_EXTENDED_PIDS_PORTS
	FlagExportPtrTag       Flags = 0x200     // DFLAG_EXPORT_PTR_TAG
	FlagBitBinaries        Flags = 0x400     // DFLAG_BIT_BINARIES
	FlagNewFloats          Flags = 0x800     // DFLAG_NEW_FLOATS
	FlagUnicodeIO          Flags = 0x1000    // DFLAG_UNICODE_IO
	FlagDistHdrAtomCache   Flags = 0x2000    // DFLAG_DIST_HDR_ATOM_CACHE
	FlagSmallAtomTags      Flags = 0x4000    // DFLAG_SMALL_ATOM_TAGS
	FlagUTF8Atoms          Flags = 0x10000   // DFLAG_UTF8_ATOMS
	FlagMapTag             Flags = 0x20000   // DFLAG_MAP_TAG
	FlagBigCreation        Flags = 0x40000   // DFLAG_BIG_CREATION
	FlagSendSender         Flags = 0x80000   // DFLAG_SEND_SENDER
	FlagBigSeqTraceLabels  Flags = 0x100000  // DFLAG_BIG_SEQTRACE_LABELS
	FlagExitPayload        Flags = 0x400000  // DFLAG_EXIT_PAYLOAD
	FlagFragments          Flags = 0x800000  // DFLAG_FRAGMENTS
	FlagHandshake23        Flags = 0x1000000 // DFLAG_HANDSHAKE_23
	FlagUnlinkID           Flags = 0x2000000 // DFLAG_UNLINK_ID
	FlagMandatory25Digest  Flags = 0x4000000 // DFLAG_MANDATORY_25_DIGEST (the doc's 1<<36 is wrong)
	FlagSpawn              Flags = 1 << 32   // DFLAG_SPAWN
	FlagNameMe             Flags = 1 << 33   // DFLAG_NAME_ME
	FlagV4NC               Flags = 1 << 34   // DFLAG_V4_NC
	FlagAlias              Flags = 1 << 35   // DFLAG_ALIAS
	FlagLocalExt           Flags = 1 << 36   // DFLAG_LOCAL_EXT (node-internal, never negotiated)
	FlagAltactSig          Flags = 1 << 37   // DFLAG_ALTACT_SIG (OTP 28)
)

// Mandatory flag sets as OTP defines them (dist.hrl).
const (
	// Mandatory25Flags is DFLAG_MANDATORY_25: required since OTP 25.
	Mandatory25Flags = FlagExtendedReferences | FlagFunTags | FlagExtendedPidsPorts |
		FlagUTF8Atoms | FlagNewFunTags | FlagBigCreation | FlagNewFloats | FlagMapTag |
		FlagExportPtrTag | FlagBitBinaries | FlagHandshake23
	// Mandatory26Flags is DFLAG_MANDATORY_26: added to the mandatory set in
	// OTP 26.
	Mandatory26Flags = FlagV4NC | FlagUnlinkID
	// MandatoryFlags is what we require of every peer (OTP 25 + 26 sets),
	// like a current BEAM's DFLAGS_MANDATORY.
	MandatoryFlags = Mandatory25Flags | Mandatory26Flags
	// DefaultFlags is what a current BEAM advertises (DFLAG_DIST_DEFAULT),
	// PUBLISHED included. Hidden nodes clear FlagPublished.
	DefaultFlags = MandatoryFlags | FlagMandatory25Digest | FlagPublished |
		FlagDistMonitor | FlagDistMonitorName | FlagSpawn | FlagAlias | FlagAltactSig |
		FlagUnicodeIO | FlagDistHdrAtomCache | FlagSmallAtomTags | FlagSendSender |
		FlagBigSeqTraceLabels | FlagExitPayload | FlagFragments
)

var flagNames = [...]string{
	0: "PUBLISHED", 1: "ATOM_CACHE", 2: "EXTENDED_REFERENCES", 3: "DIST_MONITOR",
	4: "FUN_TAGS", 5: "DIST_MONITOR_NAME", 6: "HIDDEN_ATOM_CACHE", 7: "NEW_FUN_TAGS",
	8: "EXTENDED_PIDS_PORTS", 9: "EXPORT_PTR_TAG", 10: "BIT_BINARIES", 11: "NEW_FLOATS",
	12: "UNICODE_IO", 13: "DIST_HDR_ATOM_CACHE", 14: "SMALL_ATOM_TAGS", 15: "INTERNAL_TAGS",
	16: "UTF8_ATOMS", 17: "MAP_TAG", 18: "BIG_CREATION", 19: "SEND_SENDER",
	20: "BIG_SEQTRACE_LABELS", 21: "NO_MAGIC", 22: "EXIT_PAYLOAD", 23: "FRAGMENTS",
	24: "HANDSHAKE_23", 25: "UNLINK_ID", 26: "MANDATORY_25_DIGEST", 32: "SPAWN",
	33: "NAME_ME", 34: "V4_NC", 35: "ALIAS", 36: "LOCAL_EXT", 37: "ALTACT_SIG",
}

// Names returns the OTP names of the flags set in f, lowest bit first.
// Unknown bits are named by their bit number ("BIT_40").
func (f Flags) Names() []string {
	var out []string
	for v := uint64(f); v != 0; v &= v - 1 {
		i := bits.TrailingZeros64(v)
		if i < len(flagNames) && flagNames[i] != "" {
			out = append(out, flagNames[i])
		} else {
			out = append(out, "BIT_"+itoa(i))
		}
	}
	return out
}

// String formats f as a |-separated list of OTP flag names.
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	return strings.Join(f.Names(), "|")
}

// Has reports whether every flag of want is set in f.
func (f Flags) Has(want Flags) bool { return f&want == want }

// expandDigest returns f with the whole OTP 25 mandatory set added when
// MANDATORY_25_DIGEST is present, as OTP 25+ does on receipt.
func expandDigest(f Flags) Flags {
	if f&FlagMandatory25Digest != 0 {
		f |= Mandatory25Flags
	}
	return f
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
