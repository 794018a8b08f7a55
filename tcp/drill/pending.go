package drill

// finishPending runs the stack after the last line until the blocking
// calls still waiting return: up to their "...END" (plus the tolerance),
// or MaxWait for a call written without one. A script may end while a
// call blocks (a connect that will time out), as in packetdrill.
func (r *runner) finishPending() {
	for len(r.pending) > 0 && r.err == nil {
		limit := r.now + r.cfg.MaxWait
		for _, p := range r.pending {
			if p.hasEnd {
				limit = min(limit, max(p.end+r.cfg.Tolerance, r.now))
			}
		}
		if !r.fireNext(limit) {
			r.now = max(r.now, limit)
			r.lineAt = r.pending[0].end
			return
		}
	}
}
