// Package hugepage asks the kernel to back the Go heap with transparent
// huge pages, where the kernel lets a program choose (Linux with
// /sys/kernel/mm/transparent_hugepage/enabled set to "madvise", the
// default of many distributions; the Go runtime maps its heap without
// asking for them, runtime.sysMapOS). A thousand flows keep some 30 MB
// of state, and every packet's turn touches a flow's objects at a new
// place: in 4 KiB pages that is 7,500 pages, more than the processor's
// TLB maps, so the first touch of each object also walks the page
// tables (on a virtual machine, the guest's and the host's); in 2 MiB
// pages it is 15.
//
// It is a hint only: nothing it does changes a result, a failure is
// ignored, and on other systems it does nothing.
package hugepage

// MinMapped is the least memory the runtime must have mapped for Collapse
// to do anything: the processor's TLB maps about 6 MiB in 4 KiB pages
// (1,536 entries), so a smaller heap gains little from huge pages, and a
// small run would pay for the collapse.
const MinMapped = 16 << 20
