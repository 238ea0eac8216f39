// Spec: External Term Format, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html

package etf

// Wire tags of the External Term Format (OTP's erl_ext_dist).
const (
	TagVersion        = 131 // leading version byte of a standalone term
	TagNewFloat       = 70
	TagBitBinary      = 77
	TagCompressed     = 80
	TagAtomCacheRef   = 82
	TagNewPID         = 88
	TagNewPort        = 89
	TagNewerReference = 90
	TagSmallInteger   = 97
	TagInteger        = 98
	TagFloat          = 99
	TagAtom           = 100
	TagReference      = 101
	TagPort           = 102
	TagPID            = 103
	TagSmallTuple     = 104
	TagLargeTuple     = 105
	TagNil            = 106
	TagString         = 107
	TagList           = 108
	TagBinary         = 109
	TagSmallBig       = 110
	TagLargeBig       = 111
	TagNewFun         = 112
	TagExport         = 113
	TagNewReference   = 114
	TagSmallAtom      = 115
	TagMap            = 116
	TagFun            = 117
	TagAtomUTF8       = 118
	TagSmallAtomUTF8  = 119
	TagV4Port         = 120
	TagLocal          = 121
)
