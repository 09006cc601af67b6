import Testing
@testable import FlowSteps

@Suite struct MarkerExpressionTests {
    static let linux311: [String: String] = [
        "python_version": "3.11", "python_full_version": "3.11.4", "sys_platform": "linux", "platform_system": "Linux",
        "platform_machine": "x86_64", "os_name": "posix", "implementation_name": "cpython",
    ]

    static func evaluate(_ marker: String, _ environment: [String: String] = linux311) -> Bool?? {
        guard case .success(let expression) = MarkerExpression.parse(marker) else { return .none }
        return .some(expression.evaluate(environment: environment))
    }

    @Test(arguments: [
        ("python_version >= \"3.9\" and sys_platform == \"linux\"", true),
        ("python_version < \"3.10\"", false),
        ("python_version > \"3.9\"", true),
        ("python_full_version >= \"3.11.0rc1\"", true),
        ("python_version == \"3.11.*\"", true),
        ("python_version ~= \"3.8\"", true),
        ("python_version != \"3.11\"", false),
        ("platform_machine == \"x86_64\" or platform_machine == \"aarch64\"", true),
        ("platform_machine == 'aarch64'", false),
        ("'linux' in sys_platform", true),
        ("\"arm\" not in platform_machine", true),
        ("platform_system == \"Linux\" and (os_name == \"nt\" or implementation_name == \"cpython\")", true),
        ("os.name == \"posix\"", true),
        ("\"3.12\" > python_version", true),
        ("os_name < \"q\"", true),
        ("platform_system == \"Windows\" or python_version<'3.8' or sys_platform=='darwin'", false),
    ])
    func markersEvaluateAgainstTheEnvironment(marker: String, expected: Bool) {
        #expect(Self.evaluate(marker) == .some(expected), "\(marker)")
    }

    @Test func anUnknownVariableMakesTheResultUnknownUnlessTheOtherSideDecides() {
        #expect(Self.evaluate("platform_release == \"6.1\"") == .some(nil))
        #expect(Self.evaluate("platform_release == \"6.1\" and os_name == \"nt\"") == .some(false))
        #expect(Self.evaluate("platform_release == \"6.1\" or os_name == \"posix\"") == .some(true))
        #expect(Self.evaluate("platform_release == \"6.1\" and os_name == \"posix\"") == .some(nil))
        #expect(Self.evaluate("extra == \"gpu\"") == .some(nil))
    }

    @Test func extrasCompareByNormalizedName() {
        #expect(Self.evaluate("extra == \"GPU_Support\"", ["extra": "gpu-support"]) == .some(true))
        #expect(Self.evaluate("extra == \"gpu\"", ["extra": "cpu"]) == .some(false))
    }

    @Test(arguments: [
        ("python_version >= ", "expected a marker variable"),
        ("python_ver == \"3\"", "not a marker variable"),
        ("(python_version == \"3\"", "not closed"),
        ("python_version == \"3", "not closed"),
        ("python_version \"3\"", "marker operator"),
        ("python_version == \"3\" xor os_name == \"nt\"", "`and`, `or`"),
        (String(repeating: "(", count: 40) + "os_name == \"nt\"" + String(repeating: ")", count: 40), "nested"),
    ])
    func malformedMarkersAreLocatedErrors(marker: String, expected: String) {
        guard case .failure(let error) = MarkerExpression.parse(marker) else {
            Issue.record("\(marker) parsed")
            return
        }
        #expect(error.message.contains(expected), "\(marker): \(error.message)")
        #expect(error.offset >= 0 && error.offset + error.length <= marker.utf8.count)
    }

    @Test func descriptionPrintsANormalizedMarker() throws {
        let marker = try MarkerExpression.parse("python_version>='3.9'and(os_name=='nt'or sys_platform=='win32')").get()
        #expect(marker.description == "python_version >= \"3.9\" and (os_name == \"nt\" or sys_platform == \"win32\")")
    }
}
