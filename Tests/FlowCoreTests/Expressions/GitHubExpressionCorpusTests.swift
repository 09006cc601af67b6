import Foundation
import Testing
@testable import FlowCore
import FlowTestSupport

/// flow's expressions measured against GitHub's own cross-language expression test data
/// (`Fixtures/github-expressions`, from actions/languageservices): every applicable case must
/// evaluate as GitHub does, except the deliberate differences listed in `differences`, each
/// with its reason (also in docs/expressions.md).
@Suite struct GitHubExpressionCorpusTests {
    struct Case: Sendable {
        var file: String
        var group: String
        var expression: String
        var contexts: [String: ExpressionValue]
        /// GitHub's result, or nil when GitHub reports an error.
        var expected: ExpressionValue?
        var expectedError: String?
    }

    /// Every case of every file, in file order.
    static let cases: [Case] = {
        let folder = Repository.fixtures("github-expressions")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var all: [Case] = []
        for file in files {
            // Read with flow's own JSON reader: numbers, booleans and nulls as GitHub wrote them.
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8),
                  case .object(let groups)? = try? ExpressionValue(json: text) else { continue }
            for group in groups.keys.sorted() {
                guard case .array(let items)? = groups[group] else { continue }
                for case .object(let item) in items {
                    var contexts: [String: ExpressionValue] = [:]
                    if case .object(let given)? = item["contexts"] { contexts = given }
                    var expected: ExpressionValue?
                    var error: String?
                    if case .object(let result)? = item["result"] { expected = result["value"] ?? .null }
                    if case .object(let err)? = item["err"], case .string(let message)? = err["value"] { error = message }
                    guard case .string(let expression)? = item["expr"] else { continue }
                    all.append(Case(file: file, group: group, expression: expression, contexts: contexts,
                                    expected: expected, expectedError: error))
                }
            }
        }
        return all
    }()

    /// Cases that test something flow does not have: named values GitHub's parser refuses
    /// because the test gave no such context (flow checks contexts when it validates a file,
    /// against its own contexts, not when it evaluates).
    static func isApplicable(_ c: Case) -> Bool {
        !(c.expectedError?.hasPrefix("Unrecognized named-value") ?? false)
    }

    /// What flow gives: the value, or nil for an error.
    static func evaluate(_ c: Case) -> ExpressionValue? {
        guard let expression = try? Expression.parse(c.expression) else { return nil }
        return try? expression.evaluate(in: EvaluationContext(values: c.contexts))
    }

    static func matches(_ got: ExpressionValue?, _ c: Case) -> Bool {
        guard let expected = c.expected else { return got == nil }
        guard let got else { return false }
        return same(got, expected)
    }

    /// Equality where NaN equals NaN (GitHub's data writes results, not comparisons).
    static func same(_ a: ExpressionValue, _ b: ExpressionValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)): return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        default: return a == b
        }
    }

    /// Where flow differs from GitHub on purpose (docs/expressions.md says why), by file, group
    /// and expression.
    static let differences: [String: String] = [
        "op_eq.json [array] array1 == array1": "identity: flow's values have none; an array or object equals nothing",
        "op_eq.json [object] object1 == object1": "identity",
        "op_ne.json [array] array1 != array1": "identity",
        "op_ne.json [object] object1 != object1": "identity",
        "op_idx.json [index-star] foo[*]": "key order: flow's objects keep their keys sorted",
        "tojson.json [object] tojson(myObject)": "key order",
    ]

    static func key(_ c: Case) -> String { "\(c.file) [\(c.group)] \(c.expression)" }

    @Test func flowEvaluatesGitHubsCasesAsGitHubDoes() {
        let applicable = Self.cases.filter(Self.isApplicable)
        var mismatches: [String] = []
        var differing = 0
        for c in applicable {
            let got = Self.evaluate(c)
            guard !Self.matches(got, c) else { continue }
            if Self.differences[Self.key(c)] != nil {
                differing += 1
                continue
            }
            mismatches.append("\(Self.key(c)) → flow \(got.map { $0.toJSON(pretty: false) } ?? "error"), GitHub \(c.expected.map { $0.toJSON(pretty: false) } ?? "error: \(c.expectedError ?? "")")")
        }
        // The measure the docs quote.
        print("github-expressions: \(Self.cases.count) cases, \(applicable.count) applicable, "
              + "\(applicable.count - mismatches.count - differing) as GitHub, \(differing) deliberately not")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // tojson.json holds two object cases under one expression text; both differ by key order.
        #expect(differing == 7)
        #expect(Self.cases.count == 1020 && applicable.count == 1014)
    }

    /// Every case left out is one GitHub refuses for a name the test gave no context for.
    @Test func theCasesLeftOutNeedAContextTheTestDidNotGive() {
        let left = Self.cases.filter { !Self.isApplicable($0) }
        #expect(left.count == 6)
        #expect(left.allSatisfy { $0.expectedError?.hasPrefix("Unrecognized named-value") == true })
    }
}
