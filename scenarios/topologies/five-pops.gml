# A small backbone in the Internet Topology Zoo's GML dialect: five PoPs,
# link speeds in bit/s (LinkSpeedRaw); two edges say their latency as
# Shadow's GML does. netsim's gml generator reads both.
graph [
  directed 0
  label "five-pops"
  node [ id 0 label "Seattle" ]
  node [ id 1 label "Denver" ]
  node [ id 2 label "Chicago" ]
  node [ id 3 label "New York" ]
  node [ id 4 label "Atlanta" ]
  edge [ source 0 target 1 LinkSpeedRaw 1000000000 latency "12 ms" ]
  edge [ source 1 target 2 LinkSpeedRaw 1000000000 latency "11 ms" ]
  edge [ source 2 target 3 LinkSpeedRaw 1000000000 ]
  edge [ source 1 target 4 LinkSpeedRaw 100000000 ]
  edge [ source 4 target 3 LinkSpeedRaw 100000000 ]
]
