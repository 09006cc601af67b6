import FlowHTTP
import FlowTestSupport
import Foundation
import Glibc

/// `Servers/http_server.py` on a free loopback port: the HTTP(S) server the client's tests
/// talk to (streams, uploads, redirects, statuses with counters, stalls, echo, proxying).
final class HTTPTestServer: Sendable {
    /// The certificate an HTTPS server presents.
    enum TLS: String {
        /// A leaf for 127.0.0.1 signed by a test CA (`caBundle`).
        case good
        /// Signed by the test CA, valid only in the past.
        case expired
        /// Signed by the test CA, for example.invalid only.
        case wrongHost = "wrong-host"
        /// Signed by its own key (`caBundle` is that certificate).
        case selfSigned = "self-signed"
    }

    let server: LoopbackServer
    let tls: TLS?
    /// The PEM file to trust for this server's certificate (nil for plain HTTP).
    let caBundle: String?
    private let directory: TemporaryDirectory
    /// For the control routes: the real transport, no proxy, no retries.
    private let control = CurlTransport(environment: [:])

    private init(tls: TLS?) async throws {
        self.tls = tls
        directory = try TemporaryDirectory()
        let script = Repository.root.appendingPathComponent("Tests/FlowHTTPTests/Servers/http_server.py").path
        var arguments = [script]
        if let tls {
            let ca = directory.file("ca.pem").path
            arguments += ["--tls", tls.rawValue, "--ca-out", ca]
            caBundle = ca
        } else {
            caBundle = nil
        }
        do {
            server = try await LoopbackServer.announcing("python3", arguments)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Starts a server (`LoopbackServer` waits for it off the cooperative pool).
    static func start(tls: TLS? = nil) async throws -> HTTPTestServer { try await HTTPTestServer(tls: tls) }

    /// One plain HTTP server for every test of the process that needs nothing of its own (they
    /// count under keys of their own: `uniqueKey()`); it stops when the test process ends.
    static func shared() async throws -> HTTPTestServer { try await sharedServer.get() }
    private static let sharedServer = StartedOnce { try await HTTPTestServer.start() }

    var port: Int { server.port }
    /// `http(s)://127.0.0.1:<port>`.
    var url: String { server.baseURL(scheme: tls == nil ? "http" : "https") }
    func url(_ path: String) -> String { url + path }

    /// How many requests the server counted under `key` (`/status/…?key=`, `CONNECT host:port`).
    func count(_ key: String) async throws -> Int {
        let escaped = key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key
        let answer = try await controlRequest("/_control/count/\(escaped)")
        return try JSONDecoder().decode([String: Int].self, from: answer.body)["count"] ?? -1
    }

    /// Returns once the server has counted `count` requests under `key` (it waits, not the test).
    func waitFor(_ key: String, count: Int = 1) async throws {
        let answer = try await controlRequest("/_control/wait/\(key)?count=\(count)")
        let counted = try JSONDecoder().decode([String: Int].self, from: answer.body)["count"] ?? 0
        guard counted >= count else { throw HarnessError("the server counted \(counted) requests under \(key), not \(count)") }
    }

    /// What `/bytes/N?key=` sent under `key`, once it has all gone.
    func sent(_ key: String) async throws -> Digest {
        try JSONDecoder().decode(Digest.self, from: try await controlRequest("/_control/sent/\(key)").body)
    }

    private func controlRequest(_ path: String) async throws -> HTTPResponse {
        try await control.perform(HTTPRequest(url: url(path), insecure: tls != nil && tls != .good, caBundle: caBundle))
            .requireSuccess()
    }

    func stop() {
        server.stop()
        directory.remove()
    }
}

/// A body's size and SHA-256, as the server or `sha256sum` reports them.
struct Digest: Decodable, Equatable, CustomStringConvertible {
    var bytes: Int64
    var sha256: String

    var description: String { "\(bytes) bytes, SHA-256 \(sha256)" }

    /// The file's, from coreutils' `sha256sum` (waited for without holding a thread).
    static func of(file path: String) async throws -> Digest {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64 ?? -1
        let result = try await onOwnThread { try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path]) }
        let (status, text) = (result.status, result.stdout)
        guard status == 0, let hash = text.split(separator: " ").first else {
            throw HarnessError("sha256sum \(path) failed (\(status)): \(text)")
        }
        return Digest(bytes: size, sha256: String(hash))
    }
}

/// A loopback port that listens but never accepts, with its one-connection queue already
/// taken: a connection attempt gets no answer at all, as from a host that drops packets.
final class UnansweredPort: Sendable {
    let port: Int
    private let sockets: [Int32]

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard listener >= 0, bound else { throw HarnessError("cannot listen on loopback: \(String(cString: strerror(errno)))") }
        // Two connections fill a backlog of 0 (Linux queues one more than the backlog); the
        // kernel then drops further SYNs instead of answering them.
        var fillers: [Int32] = []
        for _ in 0..<2 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        sockets = [listener] + fillers
    }

    func close() { for fd in sockets { Glibc.close(fd) } }
}

/// A unique key for the server's counters, so tests sharing nothing can run at once.
func uniqueKey(_ name: String = #function) -> String {
    "\(name.prefix { $0 != "(" })-\(UUID().uuidString.prefix(8))"
}
