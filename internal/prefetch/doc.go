// Package prefetch asks the processor to start loading a cache line that
// the simulation will read soon, without waiting for it: a load that
// misses the caches every time (a packet that arrives a bandwidth-delay
// product after it left) is requested one step early, while other work
// runs. It is a hint only: nothing it does changes a result, and on
// architectures without the assembly it does nothing.
package prefetch
