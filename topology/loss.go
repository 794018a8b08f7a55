package topology

import (
	"fmt"

	"github.com/netsimlab/netsim/sim"
	"github.com/netsimlab/netsim/units"
)

// LossModel chooses which packets a link direction loses. A model is a
// value (configuration); Start makes the per-direction process that holds
// its state and draws from the direction's "loss" stream.
type LossModel interface {
	// Start returns a new loss process drawing from r.
	Start(r *sim.Rand) LossProcess
	// Mean returns the long-run fraction of packets lost.
	Mean() float64
	// Validate reports a probability outside [0, 1].
	Validate() error
	// String describes the model, e.g. "bernoulli(1%)".
	String() string
}

// LossProcess decides, packet by packet, whether a packet is lost.
type LossProcess interface {
	// Lose reports whether the next packet is lost.
	Lose() bool
}

// Bernoulli loses each packet independently with probability p:
// Bernoulli(0.01) loses 1% of packets. It draws once per packet.
type Bernoulli units.Ratio

// Start returns the process of the model.
func (b Bernoulli) Start(r *sim.Rand) LossProcess { return &bernoulliProcess{p: float64(b), r: r} }

// Mean returns p.
func (b Bernoulli) Mean() float64 { return float64(b) }

// Validate reports a probability outside [0, 1].
func (b Bernoulli) Validate() error { return checkProb("bernoulli p", units.Ratio(b)) }

// String returns e.g. "bernoulli(1%)".
func (b Bernoulli) String() string { return "bernoulli(" + units.Ratio(b).String() + ")" }

type bernoulliProcess struct {
	p float64
	r *sim.Rand
}

func (b *bernoulliProcess) Lose() bool { return b.r.Bernoulli(b.p) }

// GilbertElliott is the two-state Markov loss model of Gilbert (1960) and
// Elliott (1963), as in tc-netem's "loss gemodel": a good state that loses
// with probability LossGood and a bad state that loses with probability
// LossBad. After each packet the chain moves good->bad with probability P
// and bad->good with probability R, so bursts have mean length 1/R. It
// starts in the good state and draws exactly twice per packet (loss, then
// transition), whatever the parameters.
type GilbertElliott struct {
	P, R              units.Ratio
	LossGood, LossBad units.Ratio
}

// Start returns the process of the model, in the good state.
func (g GilbertElliott) Start(r *sim.Rand) LossProcess { return &geProcess{m: g, r: r} }

// Mean returns the stationary loss rate: with πbad = P/(P+R),
// (1-πbad)·LossGood + πbad·LossBad. With P = R = 0 the chain never leaves
// the good state.
func (g GilbertElliott) Mean() float64 {
	if g.P+g.R == 0 {
		return float64(g.LossGood)
	}
	bad := float64(g.P) / float64(g.P+g.R)
	return (1-bad)*float64(g.LossGood) + bad*float64(g.LossBad)
}

// Validate reports a probability outside [0, 1].
func (g GilbertElliott) Validate() error {
	for _, c := range []struct {
		name string
		v    units.Ratio
	}{{"gilbert-elliott p", g.P}, {"gilbert-elliott r", g.R}, {"gilbert-elliott loss_good", g.LossGood}, {"gilbert-elliott loss_bad", g.LossBad}} {
		if err := checkProb(c.name, c.v); err != nil {
			return err
		}
	}
	return nil
}

// String returns e.g. "gilbert-elliott(p=1%,r=30%,good=0%,bad=100%)".
func (g GilbertElliott) String() string {
	return fmt.Sprintf("gilbert-elliott(p=%v,r=%v,good=%v,bad=%v)", g.P, g.R, g.LossGood, g.LossBad)
}

type geProcess struct {
	m   GilbertElliott
	r   *sim.Rand
	bad bool
}

func (g *geProcess) Lose() bool {
	var lost bool
	if g.bad {
		lost = g.r.Bernoulli(float64(g.m.LossBad))
		if g.r.Bernoulli(float64(g.m.R)) {
			g.bad = false
		}
	} else {
		lost = g.r.Bernoulli(float64(g.m.LossGood))
		if g.r.Bernoulli(float64(g.m.P)) {
			g.bad = true
		}
	}
	return lost
}

func checkProb(name string, v units.Ratio) error {
	if !(v >= 0 && v <= 1) { // also catches NaN
		return fmt.Errorf("%s %v: %w (0%% to 100%%)", name, float64(v), ErrInvalidConfig)
	}
	return nil
}
