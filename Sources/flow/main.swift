import FlowCLI
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
// `flow --version` answers before the command tree is built: argument-parser's first parse
// looks up every command's types through the runtime, most of the time of a 5 ms answer.
if arguments == ["--version"] {
    print(FlowCommand.version)
    exit(0)
}
exit(await FlowCommand.main(arguments))
