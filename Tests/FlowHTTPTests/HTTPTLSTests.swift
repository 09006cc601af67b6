import FlowHTTP
import Foundation
import Logging
import Testing

/// Certificate verification against real HTTPS servers on loopback: a good certificate from a
/// CA the request trusts passes; self-signed, expired and wrong-host ones are refused with a
/// TLS error that says which, and each passes when the request says `insecure`.
@Suite struct HTTPTLSTests {
    let transport = CurlTransport(environment: [:])

    @Test func aCertificateFromTheTrustedCAPasses() async throws {
        let server = try await HTTPTestServer.start(tls: .good)
        defer { server.stop() }
        let response = try await transport.perform(HTTPRequest(url: server.url("/echo"), caBundle: server.caBundle))
        #expect(response.status == 200)
        #expect(response.text.contains(#""method": "GET""#))
    }

    @Test func theTestCAIsNotTrustedUnlessTheRequestNamesIt() async throws {
        let server = try await HTTPTestServer.start(tls: .good)
        defer { server.stop() }
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/echo")))
        }
        #expect(error?.kind == .tls)
        #expect(error?.message.contains("local issuer certificate") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        (HTTPTestServer.TLS.selfSigned, "self-signed certificate"),
        (.expired, "certificate has expired"),
        (.wrongHost, "no alternative certificate subject name matches target host name '127.0.0.1'"),
    ])
    func aBadCertificateIsRefusedUnlessInsecure(_ tls: HTTPTestServer.TLS, _ reason: String) async throws {
        let server = try await HTTPTestServer.start(tls: tls)
        defer { server.stop() }
        // Expired and wrong-host certificates come from the CA the request trusts: only the
        // date or the name is wrong. The self-signed one is trusted by nobody.
        let caBundle = tls == .selfSigned ? nil : server.caBundle
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/echo"), caBundle: caBundle))
        }
        #expect(error?.kind == .tls)
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("GET \(server.url)/echo: TLS: ") == true, "\(String(describing: error))")

        let insecure = try await transport.perform(HTTPRequest(url: server.url("/echo"), insecure: true, caBundle: caBundle))
        #expect(insecure.status == 200)
    }

    /// At debug level: the caller that asked for it says so where its user reads (`push`'s log).
    @Test func anInsecureRequestIsLoggedWithoutItsQuery() async throws {
        let server = try await HTTPTestServer.start(tls: .selfSigned)
        defer { server.stop() }
        let lines = CapturedLog()
        let logging = CurlTransport(environment: [:], logger: Logger(label: "flow.http") { _ in lines })
        let response = try await logging.perform(HTTPRequest(url: server.url("/echo?token=s3cr3t"), insecure: true))
        #expect(response.status == 200)
        #expect(lines.entries == [.init(level: .debug,
                                        message: "TLS verification is off for GET \(server.url)/echo?…: the request says insecure")])
        // A verified request (refused here: nobody trusts this certificate) logs no warning.
        await #expect(throws: HTTPError.self) { try await logging.perform(HTTPRequest(url: server.url("/echo"))) }
        #expect(lines.entries.count == 1)
    }
}

/// A swift-log handler that keeps what it is given, to check what a component logs.
final class CapturedLog: LogHandler, @unchecked Sendable {
    struct Entry: Equatable { var level: Logger.Level; var message: String }
    private let lock = NSLock()
    private var kept: [Entry] = []
    var entries: [Entry] { lock.withLock { kept } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { kept.append(Entry(level: event.level, message: event.message.description)) }
    }
}
