package sim

// KindSet is a set of record kinds, one bit per Kind.
type KindSet uint32

// AllKinds holds every kind.
const AllKinds KindSet = 1<<kindEnd - 2

// KindsOf returns the set of ks.
func KindsOf(ks ...Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

// Has reports whether k is in s.
func (s KindSet) Has(k Kind) bool { return s&(1<<k) != 0 }

// FingerprintKinds are the kinds a Fingerprint mixes in: every kind but
// the ones that follow from the others and come once or more per packet
// or ACK (the arrival at a link's far end, a router's forward, a TCP
// sender's cwnd, delivery-rate and BBR model updates). A run with the
// trace off builds only these and what summary.json and expect read
// (a subset of them), so that the fingerprint costs little and is the
// same with the trace on or off.
const FingerprintKinds = AllKinds &^ (1<<KindPacketRx | 1<<KindPacketForward | 1<<KindTCPCwnd | 1<<KindTCPRate | 1<<KindTCPBBR)

// Selective is a Sink that reads only some kinds of record: a producer
// may skip building a record of any other kind. The set may shrink while
// a run goes on (a recorder that has seen enough), so producers keep the
// pointer and read the set before each record.
type Selective interface {
	Sink
	// Kinds returns the set the sink reads; it is the sink's to change.
	Kinds() *KindSet
}

// Wanted returns what a producer should read before each record it could
// build for s: the set of a Selective sink, every kind for another sink,
// none for nil.
func Wanted(s Sink) *KindSet {
	if sel, ok := s.(Selective); ok {
		return sel.Kinds()
	}
	all := AllKinds
	if s == nil {
		all = 0
	}
	return &all
}
