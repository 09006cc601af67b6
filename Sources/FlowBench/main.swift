// flow-bench: in-process benchmarks of the engine (see bench/README.md).
await FlowBenchCommand.start()
