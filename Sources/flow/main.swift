import FlowCLI
#if canImport(Glibc)
import Glibc
#endif

exit(await FlowCommand.main(Array(CommandLine.arguments.dropFirst())))
