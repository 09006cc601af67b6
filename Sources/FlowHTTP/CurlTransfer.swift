import CCurl
import Foundation
import Synchronization

/// One request's easy handle and everything its callbacks touch. Built on the caller's task,
/// then owned by `CurlLoop`'s thread from `submit` until `finish`; the callbacks run on that
/// thread. The continuation is resumed exactly once, by `finish`.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let request: HTTPRequest

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    // The request body.
    private var source: BodySource
    // The response.
    private var headers = HTTPHeaders()
    private var body = Data()
    private var memoryLimit: Int?
    private var download: Download?
    private var bytesReceived: Int64 = 0
    /// Why a callback stopped the transfer, when it did.
    private var callbackFailure: HTTPError?
    /// Where a 3xx response points (absolute), when libcurl did not follow it. Set by `outcome`.
    private(set) var redirectURL: String?

    private struct Control {
        var continuation: CheckedContinuation<HTTPResponse, any Error>?
        var cancelled = false
    }
    private let control = Mutex(Control())

    init(_ request: HTTPRequest, proxy: String?, noProxy: String?, userAgent: String) throws {
        if let problem = CurlGlobal.problem {
            throw HTTPError(kind: .other, method: request.method, url: request.url, message: problem)
        }
        guard let easy = flow_curl_easy_init() else {
            throw HTTPError(kind: .other, method: request.method, url: request.url, message: "curl_easy_init failed")
        }
        self.easy = easy
        self.request = request
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        source = .none
        do {
            source = try BodySource(request.body, request: request)
            switch request.destination {
            case .memory(let limit): memoryLimit = limit
            case .file(let path): download = try Download(destination: path, request: request)
            }
            try configure(proxy: proxy, noProxy: noProxy, userAgent: userAgent)
        } catch {
            source.close()
            download?.discard()
            throw error
        }
    }

    deinit {
        flow_curl_easy_cleanup(easy)
        flow_curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        source.close()
        download?.discard()
    }

    // MARK: Options

    private func configure(proxy: String?, noProxy: String?, userAgent: String) throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_USERAGENT, userAgent)
        try check(flow_curl_set_pointer(easy, CURLOPT_PRIVATE, context))
        try check(flow_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))

        // An empty proxy turns off libcurl's own reading of the environment: ours decided.
        try set(CURLOPT_PROXY, proxy ?? "")
        if let noProxy { try set(CURLOPT_NOPROXY, noProxy) }

        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout))
        if let timeout = request.timeout { try set(CURLOPT_TIMEOUT_MS, milliseconds(timeout)) }
        // Large bodies move in larger pieces: libcurl's 16 KiB default costs a poll, a read
        // and a write per 16 KiB of a multi-GB download (bench/http_vs_curl.py).
        if case .file = request.destination { try set(CURLOPT_BUFFERSIZE, 256 << 10) }
        if case .file = request.body { try set(CURLOPT_UPLOAD_BUFFERSIZE, 256 << 10) }
        if request.maxRedirects > 0 {
            try set(CURLOPT_FOLLOWLOCATION, 1)
            try set(CURLOPT_MAXREDIRS, request.maxRedirects)
        }
        if request.insecure {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caBundle = request.caBundle { try set(CURLOPT_CAINFO, caBundle) }
        if request.destinationGuard != nil {
            // A pooled connection may have been opened without the check (`2130706433` and
            // `127.0.0.1` share one), and reusing it would skip the socket callback: a guarded
            // request always connects anew.
            try set(CURLOPT_FRESH_CONNECT, 1)
            try check(flow_curl_set_opensocket_callback(easy, curlOpenSocket))
            try check(flow_curl_set_pointer(easy, CURLOPT_OPENSOCKETDATA, context))
        }

        if let signing = request.signing {
            try set(CURLOPT_AWS_SIGV4, "aws:amz:\(signing.region):\(signing.service)")
            try set(CURLOPT_USERNAME, signing.accessKeyId)
            try set(CURLOPT_PASSWORD, signing.secretAccessKey)
        }

        try configureMethodAndBody(context)

        for field in request.headers {
            // A line break in a name or value would smuggle another header into the request.
            guard !field.name.contains(where: \.isNewline), !field.value.contains(where: \.isNewline), !field.name.isEmpty else {
                throw HTTPError(kind: .invalidRequest, method: request.method, url: request.url,
                                message: "header \(field.name.debugDescription) has a line break or an empty name")
            }
            headerList = flow_curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        if case .memory = source, request.headers["Content-Type"] == nil {
            // libcurl would label a memory body as a form (application/x-www-form-urlencoded).
            headerList = flow_curl_slist_append(headerList, "Content-Type: application/octet-stream")
        }
        if headerList != nil { try check(flow_curl_set_list(easy, CURLOPT_HTTPHEADER, headerList)) }

        try check(flow_curl_set_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWrite))
        try check(flow_curl_set_pointer(easy, CURLOPT_WRITEDATA, context))
        try check(flow_curl_set_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeader))
        try check(flow_curl_set_pointer(easy, CURLOPT_HEADERDATA, context))
    }

    /// GET and HEAD carry no body. A body in memory goes as POSTFIELDS (copied by libcurl),
    /// which is also what libcurl's SigV4 hashes; a file streams through the read callback
    /// as an upload. Any method other than the one libcurl implies is set as custom.
    private func configureMethodAndBody(_ context: UnsafeMutableRawPointer) throws {
        switch source {
        case .none:
            switch request.method.uppercased() {
            case "GET": try set(CURLOPT_HTTPGET, 1)
            case "HEAD": try set(CURLOPT_NOBODY, 1)
            default: break
            }
        case .memory(let data):
            try check(flow_curl_set_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(data.count)))
            try data.withUnsafeBytes { bytes in
                // An empty body still needs a valid pointer: COPYPOSTFIELDS copies `size` bytes.
                let pointer = bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)
                try check(flow_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer)))
            }
        case .file(_, let size):
            try set(CURLOPT_UPLOAD, 1)
            try check(flow_curl_set_offset(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(size)))
            try check(flow_curl_set_data_callback(easy, CURLOPT_READFUNCTION, curlRead))
            try check(flow_curl_set_pointer(easy, CURLOPT_READDATA, context))
            try check(flow_curl_set_seek_callback(easy, curlSeek))
            try check(flow_curl_set_pointer(easy, CURLOPT_SEEKDATA, context))
        }
        if let custom = Self.customMethod(request) { try set(CURLOPT_CUSTOMREQUEST, custom) }
    }

    /// The method when it is not the one libcurl implies from the body (GET or HEAD without
    /// one, POST with one in memory, PUT with a file), which then goes as CURLOPT_CUSTOMREQUEST.
    /// libcurl sends that string on every redirect it follows, a 303 included, so the transport
    /// follows such a request's redirects itself (`CurlTransport+Redirects.swift`).
    static func customMethod(_ request: HTTPRequest) -> String? {
        let method = request.method.uppercased()
        let implied: Set<String> = switch request.body {
        case .none: ["GET", "HEAD"]
        case .bytes: ["POST"]
        case .file: ["PUT"]
        }
        return implied.contains(method) ? nil : method
    }

    private func set(_ option: CURLoption, _ value: String) throws {
        try check(flow_curl_set_string(easy, option, value))
    }

    private func set(_ option: CURLoption, _ value: Int) throws {
        try check(flow_curl_set_long(easy, option, value))
    }

    private func check(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            throw HTTPError(kind: .invalidRequest, method: request.method, url: request.url,
                            message: "libcurl option refused: \(String(cString: flow_curl_easy_strerror(code)))",
                            curlCode: Int(code.rawValue))
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Life cycle

    func start(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        control.withLock { $0.continuation = continuation }
    }

    func markCancelled() { control.withLock { $0.cancelled = true } }

    var isCancelled: Bool { control.withLock { $0.cancelled } }

    func finish(_ result: Result<HTTPResponse, any Error>) {
        let continuation = control.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        source.close()
        if case .failure = result { download?.discard() }
        continuation?.resume(with: result)
    }

    /// What a finished transfer (libcurl's `result`) amounts to. Runs on the loop thread.
    func outcome(_ result: CURLcode) -> Result<HTTPResponse, any Error> {
        if let callbackFailure { return .failure(callbackFailure) }
        guard result == CURLE_OK else { return .failure(error(for: result)) }
        var status = 0
        _ = flow_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var redirects = 0
        _ = flow_curl_get_long(easy, CURLINFO_REDIRECT_COUNT, &redirects)
        var effective: UnsafeMutablePointer<CChar>?
        _ = flow_curl_get_string(easy, CURLINFO_EFFECTIVE_URL, &effective)
        var location: UnsafeMutablePointer<CChar>?
        if flow_curl_get_string(easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK, let location {
            redirectURL = String(cString: location)
        }
        var response = HTTPResponse(status: status, headers: headers, body: body, bytesReceived: bytesReceived,
                                    method: request.method, url: effective.map { String(cString: $0) } ?? request.url,
                                    redirects: redirects)
        var total: curl_off_t = 0
        if flow_curl_get_offset(easy, CURLINFO_TOTAL_TIME_T, &total) == CURLE_OK { response.totalTime = .microseconds(total) }
        var primary: UnsafeMutablePointer<CChar>?
        if flow_curl_get_string(easy, CURLINFO_PRIMARY_IP, &primary) == CURLE_OK, let primary, primary.pointee != 0 {
            response.remoteAddress = String(cString: primary)
        }
        response.redirectURL = redirectURL
        if let download {
            do {
                if response.isSuccess {
                    response.bodyFile = try download.keep()
                } else {
                    response.body = download.head()
                    download.discard()
                }
            } catch let failure as HTTPError {
                return .failure(failure)
            } catch {
                return .failure(HTTPError(kind: .localFile, method: request.method, url: request.url, message: "\(error)"))
            }
        }
        return .success(response)
    }

    private func error(for code: CURLcode) -> HTTPError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: flow_curl_easy_strerror(code)) : detail
        let kind: HTTPError.Kind = switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dns
        case CURLE_COULDNT_CONNECT: .connect
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED: .tls
        case CURLE_TOO_MANY_REDIRECTS: .tooManyRedirects
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_HTTP3: .connectionLost
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT: .invalidRequest
        case CURLE_READ_ERROR, CURLE_WRITE_ERROR: .localFile
        default: .other
        }
        return HTTPError(kind: refine(kind, message), method: request.method, url: request.url, message: message,
                         curlCode: Int(code.rawValue))
    }

    /// A timeout before the request went out (libcurl's pre-transfer time is still zero) is one
    /// of the stage that did not finish: name resolution, or the connection (TCP, TLS, a proxy's
    /// tunnel). Nothing was sent then, which the retry policy needs to know. libcurl's message
    /// still says it timed out.
    private func refine(_ kind: HTTPError.Kind, _ message: String) -> HTTPError.Kind {
        guard kind == .timeout else { return kind }
        var pretransfer: curl_off_t = 0
        guard flow_curl_get_offset(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer) == CURLE_OK, pretransfer == 0 else { return kind }
        return message.hasPrefix("Resolving timed out") ? .dns : .connect
    }

    // MARK: Callbacks (loop thread)

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        // "\r\n" is one Character in Swift, so the line end is trimmed as a character set.
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()   // a new response: a redirect's or 100 Continue's headers are dropped
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }

    /// False stops the transfer (libcurl then reports a write error, which `outcome` replaces
    /// with `callbackFailure`).
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytesReceived += Int64(bytes.count)
        if let download {
            do {
                try download.write(bytes)
                return true
            } catch {
                callbackFailure = HTTPError(kind: .localFile, method: request.method, url: request.url, message: "\(error)")
                return false
            }
        }
        if let memoryLimit, body.count + bytes.count > memoryLimit {
            callbackFailure = HTTPError(kind: .bodyTooLarge, method: request.method, url: request.url,
                                        message: "the response body is larger than the \(memoryLimit)-byte limit; stream it to a file instead")
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        do {
            return try source.read(into: buffer)
        } catch {
            callbackFailure = HTTPError(kind: .localFile, method: request.method, url: request.url, message: "\(error)")
            return nil
        }
    }

    fileprivate func rewindBody(to offset: Int64) -> Bool { source.seek(to: offset) }

    /// The socket for a connection to `address`, or -1 (`CURL_SOCKET_BAD`) when the request's
    /// guard refuses the address: libcurl then makes no connection there.
    fileprivate func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let family = address.pointee.family
        if let guarded = request.destinationGuard {
            let numeric = Self.numericHost(address)
            if let reason = guarded.address(numeric ?? "") {
                if callbackFailure == nil {
                    callbackFailure = HTTPError(kind: .refused, method: request.method, url: request.url,
                                                message: "\(HTTPRequest.display(request.url)) resolved to \(numeric ?? "an unreadable address"): \(reason)")
                }
                return -1
            }
        }
        return socket(family, address.pointee.socktype, address.pointee.protocol)
    }

    /// The address as text (`127.0.0.1`, `fd00:ec2::254`), by `getnameinfo`.
    static func numericHost(_ address: UnsafeMutablePointer<curl_sockaddr>) -> String? {
        let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
        let pointer = UnsafeRawPointer(address).advanced(by: offset).assumingMemoryBound(to: sockaddr.self)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let code = getnameinfo(pointer, socklen_t(address.pointee.addrlen), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
        guard code == 0 else { return nil }
        return String(cString: host)
    }
}

// MARK: - libcurl callbacks (C function pointers: no captures; the transfer comes as context)

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
}

private let curlWrite: flow_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
    return transfer(context).receiveBody(bytes) ? length : 0
}

private let curlHeader: flow_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    transfer(context).receiveHeader(UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

private let curlRead: flow_curl_data_callback = { buffer, size, count, context in
    let target = UnsafeMutableRawBufferPointer(start: buffer, count: size * count)
    return transfer(context).sendBody(into: target).map { $0 } ?? Int(CURL_READFUNC_ABORT)
}

private let curlOpenSocket: flow_curl_opensocket_callback = { context, _, address in
    guard let address else { return -1 }
    return transfer(context).openSocket(address)
}

private let curlSeek: flow_curl_seek_callback = { context, offset, origin in
    guard origin == SEEK_SET else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    return transfer(context).rewindBody(to: Int64(offset)) ? Int32(CURL_SEEKFUNC_OK) : Int32(CURL_SEEKFUNC_FAIL)
}
