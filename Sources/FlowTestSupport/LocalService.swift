import Foundation

/// One of the local real services `script/services` knows how to start (`registry`,
/// `registry-tls`, `moto`), started for a test process by that same script (`script/services
/// run NAME`) in a state folder of its own on a free loopback port, and stopped when the test
/// process ends. `environment` holds the variables the script exports for it (`FLOW_REGISTRY`,
/// `FLOW_REGISTRY_PASSWORD`, `AWS_ENDPOINT_URL`, …).
public final class LocalService: @unchecked Sendable {
    public let name: String
    public let server: LoopbackServer
    public let environment: [String: String]
    public let stateDirectory: URL

    public var port: Int { server.port }

    /// `127.0.0.1:<port>`.
    public var address: String { "127.0.0.1:\(server.port)" }

    private init(name: String, server: LoopbackServer, environment: [String: String], stateDirectory: URL) {
        self.name = name
        self.server = server
        self.environment = environment
        self.stateDirectory = stateDirectory
    }

    /// Starts `name` afresh (its own state folder), for a test that must not share it;
    /// `arguments` go to the script too (`--users FILE`).
    public static func start(_ name: String, arguments: [String] = []) async throws -> LocalService {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-services-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = Repository.root.appendingPathComponent("script/services").path
        let server = try await LoopbackServer.announcing(script, ["run", name, "--dir", directory.path, "--no-base"] + arguments, within: 90)
        var exports: [String: String] = [:]
        for line in server.announcement where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            exports[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        return LocalService(name: name, server: server, environment: exports, stateDirectory: directory)
    }

    /// One instance of `name` for the whole test process, started by the first test that asks.
    /// Tests sharing it use repository or resource names of their own.
    public static func shared(_ name: String) async throws -> LocalService {
        let starter = lock.withLock { () -> StartedOnce<LocalService> in
            if let existing = started[name] { return existing }
            let created = StartedOnce { try await LocalService.start(name) }
            started[name] = created
            return created
        }
        return try await starter.get()
    }

    nonisolated(unsafe) private static var started: [String: StartedOnce<LocalService>] = [:]
    private static let lock = NSLock()

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}
