/// A pipeline file as written: every field with its location, nothing resolved or expanded yet.
/// `PipelineValidator` checks it; `RunPlanner` turns it into a `RunPlan`.
public struct Pipeline: Sendable {
    public var file: String
    public var name: Located<String>
    public var description: String?
    public var params: [ParamDefinition] = []
    public var profiles: [Profile] = []
    public var env: [EnvEntry] = []
    /// `images:`: image names steps give → the image to use instead (a local stand-in).
    public var images: [ImageMapping] = []
    public var secrets: [Located<String>] = []
    public var maxParallel: Located<Int>?
    public var concurrency: Concurrency?
    public var schedule: [ScheduleEntry] = []
    public var defaults = StepDefaults()
    public var steps: [Step] = []
    /// `outputs:`: what the run reports when it ends (and a sub-pipeline gives its step).
    public var outputs: [PipelineOutput] = []
    /// Where the root mapping starts (for problems about the file as a whole).
    public var location: SourceLocation

    public init(file: String, name: Located<String>, location: SourceLocation) {
        self.file = file
        self.name = name
        self.location = location
    }

}

/// A typed pipeline parameter: `torch: { type: string, default: "2.4.1" }`.
public struct ParamDefinition: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case string, number, bool, choice
    }

    public var name: Located<String>
    public var kind: Located<Kind>
    public var defaultValue: YAMLNode?
    public var description: String?
    /// The allowed values of a `choice` parameter.
    public var options: [Located<String>] = []
    /// `secret: true`: the value is masked wherever it shows and never stored with the run.
    /// A param that feeds the `env:` value of a secret name is secret too (``RunPlanner/secretParams(of:)``).
    public var secret = false

    public init(name: Located<String>, kind: Located<Kind>) {
        self.name = name
        self.kind = kind
    }

    /// A parameter without a default must be given (`--param`, a profile, a schedule entry).
    public var isRequired: Bool { defaultValue == nil }
}

/// A named set of parameter values: `profiles: { local: { registry: "127.0.0.1:5000" } }`.
public struct Profile: Sendable {
    public var name: Located<String>
    public var values: [(name: Located<String>, value: YAMLNode)]
    /// The profile's `images:` map, applied over the pipeline's.
    public var images: [ImageMapping] = []
}

/// One `NAME: IMAGE` of an `images:` map: where a step names `name` (a `FROM`, a `container:`
/// image, a `smoke-test` image), `value` is used instead, and the step's log says so. The value
/// may hold expressions (`${{ params.* }}`, `${{ env.* }}`).
public struct ImageMapping: Sendable {
    public var name: Located<String>
    public var value: SourceText
}

/// One `NAME: value` of an `env:` mapping; the value may hold expressions.
public struct EnvEntry: Sendable {
    public var name: Located<String>
    public var value: SourceText
}

/// Runs of one group across processes: what happens when a second one starts.
public struct Concurrency: Sendable, Hashable {
    public enum Policy: String, Sendable, CaseIterable {
        case forbid, queue, replace
    }

    /// The group's name; may hold `${{ params.* }}` and `${{ pipeline.* }}`, rendered when the run is planned.
    public var group: SourceText
    public var policy: Located<Policy>
}

/// One `schedule:` entry: when to fire, in which time zone, with which values.
public struct ScheduleEntry: Sendable {
    public enum Catchup: String, Sendable, CaseIterable {
        case latest, all, none
    }

    public var cron: SourceText
    public var timezone: Located<String>?
    public var profile: Located<String>?
    public var params: [(name: Located<String>, value: YAMLNode)] = []
    public var catchup: Located<Catchup>?
    public var catchupWindow: Located<DurationValue>?
    public var startingDeadline: Located<DurationValue>?
    public var location: SourceLocation
}

/// `defaults:` applied to every step that does not say otherwise.
public struct StepDefaults: Sendable {
    public var timeout: Located<DurationValue>?
    public var retry: Located<RetryPolicy>?
    public var logLimit: Located<ByteSize>?
    public init() {}
}

/// One entry of `steps:` as written.
public struct Step: Sendable {
    public var id: Located<String>
    /// The step type. A `run:` step is `uses: shell` with its script (and `shell:`) as inputs,
    /// rewritten when it is loaded; nothing after loading tells them apart.
    public var uses: Located<String>
    /// The signature of `uses`, looked up in the catalog when the pipeline is checked
    /// (``PipelineCheck``); nil when the type is unknown.
    public var signature: StepTypeSignature?
    public var needs: [Located<String>] = []
    public var condition: SourceText?
    public var with: [(key: Located<String>, value: YAMLNode)] = []
    public var env: [EnvEntry] = []
    public var timeout: Located<DurationValue>?
    public var retry: Located<RetryPolicy>?
    /// `log-limit`: each attempt's log keeps its first and last half of this size.
    public var logLimit: Located<ByteSize>?
    public var continueOnError = false
    public var matrix: Matrix?
    /// Output names the step declares (for types whose outputs the step declares, as `shell`'s).
    public var outputs: [Located<String>] = []
    /// Where `outputs:` is written, when it is.
    public var outputsLocation: SourceLocation?
    public var workingDirectory: SourceText?
    /// `name:`: what people read (the live view, status, JUnit, graphs); the id stays the key.
    /// May read `params`, `pipeline` and `matrix`.
    public var name: SourceText?
    /// `description:`: plain text.
    public var description: SourceText?
    /// `cache:`: the step is memoized (``StepCache``).
    public var cache: StepCache?
    /// The keys written in the step's mapping, with where each is.
    public var writtenKeys: [Located<String>] = []
    /// For `uses: ./pipelines/x.yml`: the pipeline it runs, read and checked when the file was
    /// (``PipelineCheck``); nil otherwise, or when it could not be read.
    public var included: IncludedPipeline?

    /// Whether `uses` names a pipeline file (`./…​.yml`): the step runs it as a sub-pipeline.
    public var usesPipeline: Bool { IncludedPipeline.isReference(uses.value) }

    public init(id: Located<String>, uses: Located<String>) {
        self.id = id
        self.uses = uses
    }
}

/// `cache: { key: [...], paths: [...] }`: a step whose result is reused when its key matches an
/// earlier success in the same state directory. The key is always the step's own definition
/// (its type and the type's version, its inputs, script and environment as rendered); `key:`
/// adds values (text with expressions) and files (`files: GLOB`, hashed by content); `paths:`
/// are the files and folders (under the workspace) the step makes, saved with its success and
/// put back when it is reused.
public struct StepCache: Sendable {
    public enum KeyPart: Sendable {
        /// Text, with expressions: its value is part of the key.
        case value(SourceText)
        /// `files: PATTERN` (or a list): the files matching, by content; a folder stands for every file in it.
        case files([Located<String>])
    }

    public var key: [KeyPart] = []
    public var paths: [Located<String>] = []
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}

/// `matrix:`: axes of values; the step runs once per combination.
public struct Matrix: Sendable {
    public struct Axis: Sendable {
        public var name: Located<String>
        public var values: [Located<String>]
        /// `name: ${{ fromJSON(steps.X.outputs.Y) }}`: the values come from a step's output when the
        /// run gets there (``values`` is then empty).
        public var expression: SourceText? = nil

        public init(name: Located<String>, values: [Located<String>], expression: SourceText? = nil) {
            self.name = name
            self.values = values
            self.expression = expression
        }
    }

    public var axes: [Axis] = []
    /// `matrix: ${{ fromJSON(steps.X.outputs.M) }}`: the whole matrix from one expression.
    public var whole: SourceText? = nil
    /// `fail-fast: true`: when one instance fails, the others still running are stopped.
    public var failFast: Located<Bool>? = nil
    /// `max-parallel: N`: at most N instances of this matrix run at once.
    public var maxParallel: Located<Int>? = nil

    /// Whether the combinations are known only at run time.
    public var isDynamic: Bool { whole != nil || axes.contains { $0.expression != nil } }
    /// Combinations to drop: each entry lists axis values that must all match.
    public var exclude: [[(name: String, value: String)]] = []
    /// Combinations to add, or extra keys for the combinations they match.
    public var include: [[(name: Located<String>, value: String)]] = []
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}

/// One `outputs:` entry of a pipeline: a name and the text (with expressions) it is computed from.
public struct PipelineOutput: Sendable {
    public var name: Located<String>
    public var value: SourceText

    public init(name: Located<String>, value: SourceText) {
        self.name = name
        self.value = value
    }
}

/// The pipeline a `uses: ./pipelines/x.yml` step runs, loaded and validated on its own (its
/// problems are reported at its own lines). A class so that a `Step` can hold a `Pipeline`.
public final class IncludedPipeline: Sendable {
    public let pipeline: Pipeline

    public init(_ pipeline: Pipeline) { self.pipeline = pipeline }

    /// A path from the project root (`./` first, `.yml` or `.yaml` last), as GitHub Actions
    /// names a reusable workflow.
    public static func isReference(_ uses: String) -> Bool {
        uses.hasPrefix("./") && (uses.hasSuffix(".yml") || uses.hasSuffix(".yaml"))
    }
}
