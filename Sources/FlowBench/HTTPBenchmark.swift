import ArgumentParser
import FlowHTTP
import FlowTestSupport
import Foundation

/// `flow-bench http`: FlowHTTP's real transport (`CurlTransport`, no retries) against a server
/// given by URL; `bench/http_vs_curl.py` runs it beside the `curl` command line.
struct HTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "FlowHTTP's CurlTransport: sequential small GETs on one kept-alive connection, or one download to a file.",
        subcommands: [HTTPGetsCommand.self, HTTPDownloadCommand.self])
}

/// `flow-bench http gets`: `count` GETs, each awaited before the next, so libcurl's multi
/// handle keeps the one connection alive between them.
struct HTTPGetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gets",
        abstract: "Sequential GETs of URL (body to memory), timed in-process; prints one JSON line.")

    @Option(help: "The URL to GET (a small response).") var url: String
    @Option(help: "Requests, one after the other.") var count = 1000

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let transport = CurlTransport()
        let request = HTTPRequest(url: url, destination: .memory(limit: 1 << 20))
        let start = ContinuousClock.now
        var bytes: Int64 = 0
        for _ in 0..<count {
            let response = try await transport.perform(request).requireSuccess()
            bytes += response.bytesReceived
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        HTTPBenchmark.report([
            ("count", "\(count)"), ("bytes", "\(bytes)"), ("seconds", String(format: "%.6f", seconds)),
            ("requests_per_second", String(format: "%.1f", Double(count) / seconds)),
            ("vm_hwm_kib", "\(HTTPBenchmark.peakResidentKiB())"),
        ])
    }
}

/// `flow-bench http download`: one GET streamed to a file (`ResponseDestination.file`: a
/// temporary file beside the path, renamed into place on a 2xx).
struct HTTPDownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "One GET of URL streamed to a file, timed in-process; prints one JSON line.")

    @Option(help: "The URL to download.") var url: String
    @Option(help: ArgumentHelp("The file to write (replaced).", valueName: "path")) var to: String

    func run() async throws {
        let transport = CurlTransport()
        let request = HTTPRequest(url: url, destination: .file(to), timeout: nil)
        let start = ContinuousClock.now
        let response = try await transport.perform(request).requireSuccess()
        let seconds = (ContinuousClock.now - start).inSeconds
        guard response.bodyFile == to else { throw HarnessError("the download did not end up in \(to)") }
        HTTPBenchmark.report([
            ("bytes", "\(response.bytesReceived)"), ("seconds", String(format: "%.6f", seconds)),
            ("mb_per_second", String(format: "%.1f", Double(response.bytesReceived) / seconds / 1e6)),
            ("vm_hwm_kib", "\(HTTPBenchmark.peakResidentKiB())"),
        ])
    }
}

enum HTTPBenchmark {
    /// One JSON object on one line; the values are numbers already formatted.
    static func report(_ fields: [(String, String)]) {
        print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }

    /// `VmHWM`: this program's peak RSS since its `exec` (unlike `ru_maxrss`, without the
    /// forking parent's pages); 0 where /proc is missing.
    static func peakResidentKiB() -> Int { processStatusKiB("VmHWM") }
}
