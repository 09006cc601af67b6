#if canImport(Glibc)
import Glibc
#endif
import FlowCore
import FlowSystem

/// Starting a `run:` script that is one simple command (``SimpleCommand``) without bash, when
/// bash would only have found the program and run it. What bash adds is added: `PWD`, `SHLVL`
/// one higher, and `_` (the program as written when it is a path, else the path found).
/// Anything that would make bash act otherwise — `BASH_ENV`, `ENV`, `SHELLOPTS`, `BASHOPTS` or
/// an exported function of that name in the environment, a `PATH` that is missing or has a
/// relative or empty entry — or a program that cannot be run as it is (not found, not
/// executable, a file bash would run as a script itself: no `#!` and not ELF) leaves the
/// script to bash, which then reports exactly what it always does.
struct DirectCommand: Equatable {
    var program: String
    var arguments: [String]
    var environment: [String: String]

    static let bashVariables = ["BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS"]

    init?(script: String, environment: [String: String], workingDirectory: String) {
        guard let words = SimpleCommand.words(in: script), let name = words.first else { return nil }
        guard !Self.bashVariables.contains(where: { environment[$0] != nil }), environment["BASH_FUNC_\(name)%%"] == nil,
              let searchPath = environment["PATH"] else { return nil }
        let entries = searchPath.split(separator: ":", omittingEmptySubsequences: false)
        guard name.contains("/") || entries.allSatisfy({ $0.hasPrefix("/") }) else { return nil }
        guard let path = try? ExecutableLookup.resolve(name, searchPath: searchPath, relativeTo: workingDirectory),
              Self.startsAsProgram(path) else { return nil }
        program = path
        arguments = Array(words.dropFirst())
        let level = Int(environment["SHLVL"] ?? "").map { $0 < 0 ? 0 : $0 } ?? 0
        // `_` is what bash ran: the word as written when it names a path, else the path found.
        self.environment = ["PWD": workingDirectory, "SHLVL": String(level + 1 >= 1000 ? 1 : level + 1),
                            "_": name.contains("/") ? name : path]
    }

    /// Whether the file begins as an ELF binary or a `#!` script: what `execve` runs itself.
    static func startsAsProgram(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 4)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4) }
        return (count >= 2 && head[0] == UInt8(ascii: "#") && head[1] == UInt8(ascii: "!")) || (count == 4 && head == [0x7F, 0x45, 0x4C, 0x46])
    }
}
