import Foundation

/// JUnit XML, the test report format CI systems read (Jenkins, GitLab, CodeBuild reports): suites
/// of test cases, each passed, failed, errored or skipped. One writer for all of flow (`flow run
/// --junit`, `smoke-test`); its output follows the Jenkins xunit plugin's `junit-10.xsd`.
public struct JUnitXML: Sendable, Hashable {
    /// A failure or an error of a test case.
    public struct Failure: Sendable, Hashable {
        public var message: String
        /// The exception's type (`ModuleNotFoundError`), when there is one.
        public var type: String?
        /// The body: a traceback, a log path.
        public var text: String

        public init(message: String, type: String? = nil, text: String = "") {
            self.message = message
            self.type = type
            self.text = text
        }
    }

    /// How a test case ended.
    public enum Outcome: Sendable, Hashable {
        case passed
        case failed(Failure)
        /// It could not run (JUnit's `<error>`: the harness, not the check, failed).
        case error(Failure)
        case skipped(message: String)
    }

    /// One test case.
    public struct Case: Sendable, Hashable {
        public var name: String
        public var classname: String
        /// Seconds.
        public var time: Double
        public var outcome: Outcome
        public var systemOut: String?

        public init(name: String, classname: String, time: Double, outcome: Outcome = .passed, systemOut: String? = nil) {
            self.name = name
            self.classname = classname
            self.time = time
            self.outcome = outcome
            self.systemOut = systemOut
        }
    }

    /// A suite of cases.
    public struct Suite: Sendable, Hashable {
        public var name: String
        public var id: String?
        public var cases: [Case]

        public init(name: String, id: String? = nil, cases: [Case]) {
            self.name = name
            self.id = id
            self.cases = cases
        }

        var failures: Int { cases.filter { if case .failed = $0.outcome { true } else { false } }.count }
        var errors: Int { cases.filter { if case .error = $0.outcome { true } else { false } }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
        var time: Double { cases.reduce(0) { $0 + $1.time } }
    }

    public var name: String
    public var suites: [Suite]

    public init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    /// The document, UTF-8 text.
    public var text: String {
        let tests = suites.reduce(0) { $0 + $1.cases.count }
        let failures = suites.reduce(0) { $0 + $1.failures }
        let errors = suites.reduce(0) { $0 + $1.errors }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(Self.attribute(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(Self.seconds(suites.reduce(0) { $0 + $1.time }))\">\n"
        for suite in suites {
            out += "  <testsuite name=\"\(Self.attribute(suite.name))\""
            if let id = suite.id { out += " id=\"\(Self.attribute(id))\"" }
            out += " tests=\"\(suite.cases.count)\" failures=\"\(suite.failures)\" skipped=\"\(suite.skipped)\" errors=\"\(suite.errors)\" time=\"\(Self.seconds(suite.time))\">\n"
            for testCase in suite.cases { out += Self.render(testCase) }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func render(_ c: Case) -> String {
        var out = "    <testcase classname=\"\(attribute(c.classname))\" name=\"\(attribute(c.name))\" time=\"\(seconds(c.time))\""
        var body = ""
        switch c.outcome {
        case .passed: break
        case .failed(let failure): body += element("failure", failure)
        case .error(let failure): body += element("error", failure)
        case .skipped(let message): body += "      <skipped message=\"\(attribute(message))\"/>\n"
        }
        if let systemOut = c.systemOut, !systemOut.isEmpty {
            body += "      <system-out>\(Self.text(systemOut))</system-out>\n"
        }
        if body.isEmpty { return out + "/>\n" }
        out += ">\n" + body + "    </testcase>\n"
        return out
    }

    static func element(_ tag: String, _ failure: Failure) -> String {
        var out = "      <\(tag) message=\"\(attribute(failure.message))\""
        if let type = failure.type { out += " type=\"\(attribute(type))\"" }
        return out + ">\(text(failure.text))</\(tag)>\n"
    }

    /// `12.345`: three decimals, as the schema's `SUREFIRE_TIME` allows; never negative.
    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value.isFinite ? max(value, 0) : 0)
    }

    /// Text for an attribute value: markup escaped, and tabs and line breaks as character
    /// references (a parser would turn them into spaces otherwise).
    public static func attribute(_ s: String) -> String {
        escape(s, attribute: true)
    }

    /// Text for element content: markup escaped, carriage returns kept as references.
    public static func text(_ s: String) -> String {
        escape(s, attribute: false)
    }

    /// XML 1.0 cannot carry most control characters, not even as references: each is written
    /// as `#xHH` text (the way pytest's JUnit writer shows them), so nothing is lost silently.
    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case let c where c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF:
                out += "#x" + String(format: c.value < 0x100 ? "%02X" : "%04X", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
