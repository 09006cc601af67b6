@testable import FlowSystem
import Glibc
import Testing

@Suite("ExecutableLookup: execvp's rules, absolute PATH entries only")
struct ExecutableLookupTests {
    @Test("a bare name is found in the first absolute PATH entry that has it")
    func foundInOrder() throws {
        let first = try TemporaryFolder(), second = try TemporaryFolder()
        defer { first.remove(); second.remove() }
        try second.file("tool")
        let expected = try first.file("tool")
        #expect(try ExecutableLookup.resolve("tool", searchPath: "\(first.path):\(second.path)") == expected)
        #expect(try ExecutableLookup.resolve("tool", searchPath: "/nonexistent::\(first.path)/") == expected)
    }

    @Test("relative and empty PATH entries are never searched")
    func relativeEntriesIgnored() throws {
        // A relative entry that names /usr/bin from any working directory: still skipped.
        let relative = String(repeating: "../", count: 40) + "usr/bin"
        #expect(throws: ExecutableLookupError.notFound(name: "sh")) {
            try ExecutableLookup.resolve("sh", searchPath: "\(relative):.::")
        }
        #expect(try ExecutableLookup.resolve("sh", searchPath: "\(relative):/usr/bin") == "/usr/bin/sh")
    }

    @Test("a file without execute permission is skipped, and reported when nothing runnable follows (EACCES)")
    func refusalRemembered() throws {
        let refused = try TemporaryFolder(), runnable = try TemporaryFolder(), other = try TemporaryFolder()
        defer { refused.remove(); runnable.remove(); other.remove() }
        let plain = try refused.file("tool", permissions: 0o644)
        let good = try runnable.file("tool")
        #expect(try ExecutableLookup.resolve("tool", searchPath: "\(refused.path):\(runnable.path)") == good)

        try other.file("tool", permissions: 0o600)
        do {
            _ = try ExecutableLookup.resolve("tool", searchPath: "\(refused.path):\(other.path):/nonexistent")
            Issue.record("a file without execute permission was accepted")
        } catch {
            // The first refusal, not the second, and not "not found".
            guard case .notExecutable(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path == plain)
            #expect(reason == errnoText(EACCES))
        }
    }

    @Test("a directory is not executable, found on PATH or named by path")
    func directoryIsNotExecutable() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let directory = try folder.directory("tool")
        #expect(throws: ExecutableLookupError.notExecutable(path: directory, reason: "is a directory")) {
            try ExecutableLookup.resolve("tool", searchPath: folder.path)
        }
        #expect(throws: ExecutableLookupError.notExecutable(path: "/usr", reason: "is a directory")) {
            try ExecutableLookup.resolve("/usr", searchPath: "/usr/bin")
        }
    }

    @Test("without PATH in the environment, the default search path is used")
    func defaultSearchPath() throws {
        #expect(ExecutableLookup.defaultSearchPath == "/usr/bin:/bin")
        #expect(try ExecutableLookup.resolve("sh", environment: [:]) == "/usr/bin/sh")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.file("only-here")
        #expect(throws: ExecutableLookupError.notFound(name: "only-here")) {
            try ExecutableLookup.resolve("only-here", environment: ["HOME": folder.path])
        }
        #expect(try ExecutableLookup.resolve("only-here", environment: ["PATH": folder.path]) == folder.path + "/only-here")
    }

    @Test("a name with a slash is that file, relative to the given directory; PATH is not searched")
    func pathsAreNotSearched() throws {
        #expect(try ExecutableLookup.resolve("./sh", searchPath: "", relativeTo: "/usr/bin") == "/usr/bin/./sh")
        #expect(try ExecutableLookup.resolve("/usr/bin/sh", searchPath: "") == "/usr/bin/sh")
        #expect(throws: ExecutableLookupError.notFound(name: "bin/sh")) {
            try ExecutableLookup.resolve("bin/sh", searchPath: "/usr", relativeTo: "/nonexistent")
        }
    }

    @Test("an empty name or one with a NUL byte is not found")
    func unusableNames() {
        #expect(throws: ExecutableLookupError.notFound(name: "")) { try ExecutableLookup.resolve("", searchPath: "/usr/bin") }
        #expect(throws: ExecutableLookupError.notFound(name: "s\0h")) { try ExecutableLookup.resolve("s\0h", searchPath: "/usr/bin") }
    }
}
