// Package scenarios reads netsim's YAML scenarios (format version 1, see
// docs/scenarios.md): strict loading through yaml.v3's node
// API so that every problem is reported as FILE:LINE:COL, validation of the
// whole scenario with all errors at once, deterministic address assignment,
// building a simulated world from a scenario, checking its expectations and
// summarising a run from its trace records.
//
// Loading never panics and never runs anything: Load returns either a
// Scenario that is safe to build or an ErrorList naming every problem found.
package scenarios
