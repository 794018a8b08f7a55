// Package sweep runs a scenario over a grid of parameters and many seeds,
// and reduces the runs to tables a paper can cite: results.csv (one row per
// run) and aggregate.csv (per grid point and metric: n, mean, standard
// deviation and a 95% Student t confidence interval).
//
// A sweep file names a base scenario, a grid of parameters addressed by
// path into the scenario's YAML tree (links[bottleneck].loss,
// defaults.tcp.congestion), the seeds and the metrics. [Expand] turns it
// into a [Plan]: every grid point is the base scenario with the overrides
// applied on its yaml.v3 node tree and validated by the scenarios package
// exactly as a hand-written file would be, and every (point, seed) pair is
// a [Run] with an ID derived from the parameter values and the seed alone,
// so reordering the file changes no ID.
//
// [Execute] runs the plan (or one [Shard] of it, assigned by run ID, for a
// batch scheduler's array job) on a pool of workers, each run single
// threaded and deterministic, records each finished run in its own file so
// that an interrupted sweep resumes where it stopped, and writes the CSV
// files. [Merge] joins shard folders into the same bytes a single machine
// would have written.
package sweep
