import FlowCLI
#if canImport(Glibc)
import Glibc
#endif

exit(FlowCommand.main(Array(CommandLine.arguments.dropFirst())))
