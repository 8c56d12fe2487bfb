from csi_graph.cli import main

main()
