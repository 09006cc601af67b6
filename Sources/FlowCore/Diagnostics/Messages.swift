/// Every message flow prints about an input, in one place, so wording stays consistent and
/// tests can name them. Each says what is wrong and, where it can, what would fix it.
public enum Messages {
    // MARK: YAML and file bounds
    public static func fileTooLarge(bytes: Int, limit: Int) -> String {
        "file is \(megabytes(bytes)); pipeline files are limited to \(megabytes(limit))"
    }
    public static func invalidUTF8(byte: UInt8) -> String {
        "file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true))); save it as UTF-8"
    }
    public static let emptyFile = "file is empty; a pipeline needs at least `name` and `steps`"
    public static let yamlOutOfMemory = "out of memory while reading YAML"
    public static let multipleDocuments = "a pipeline file holds one YAML document; remove this `---` and what follows, or move it to its own file"
    public static func undefinedAlias(_ name: String) -> String {
        "alias `*\(name)` refers to no anchor defined before it; a value that starts with `*` is an alias in YAML: if it is text, quote the whole value"
    }
    public static func aliasExpansionTooLarge(_ limit: Int) -> String {
        "aliases expand this document past \(limit) values (an alias bomb?); write the values out or nest fewer aliases"
    }
    public static func tooManyNodes(_ limit: Int) -> String { "document has more than \(limit) values; split the pipeline" }
    public static func nonScalarKey(_ kind: String) -> String { "a mapping key must be a plain string, not \(kind)" }
    public static func duplicateKey(_ key: String) -> String { "duplicate key `\(key)`; each key may appear once in a mapping" }
    public static let firstDefinedHere = "first defined here"
    public static let badMergeValue = "`<<` merges a mapping or a list of mappings"
    public static func unsupportedTag(_ tag: String) -> String {
        "unsupported YAML tag `\(tag)`; remove it (a value that starts with `!` is a tag in YAML: if it is text, quote the whole value)"
    }
    public static func yamlReader(_ problem: String) -> String { "cannot read YAML: \(problem)" }
    public static func yamlSyntax(_ problem: String) -> String { "invalid YAML: \(problem)" }
    public static func nestingTooDeep(_ limit: Int) -> String {
        "nesting is deeper than \(limit) levels; a pipeline needs far fewer, flatten this structure"
    }

    // MARK: Shape of the file
    public static func rootWrongKind(_ kind: String) -> String { "a pipeline file must be a mapping with `name` and `steps`, not \(kind)" }
    public static func unknownKey(_ key: String, in what: String) -> String { "unknown key `\(key)` in \(what)" }
    public static func jobSteps(_ job: String) -> String {
        "the steps of job `\(job)` go under the pipeline's top-level `steps:`, each keyed by an id (`build: { run: make }`); "
            + "the first needs what `\(job)` needs"
    }
    public static func didYouMean(_ s: String) -> String { "did you mean `\(s)`?" }
    public static func expectedOneOf(_ options: [String]) -> String {
        "expected one of: " + options.map { "`\($0)`" }.joined(separator: ", ")
    }
    public static func wrongType(_ what: String, expected: String, found: String) -> String { "\(what) must be \(expected), not \(found)" }
    public static func missingKey(_ key: String, in what: String) -> String { "\(what) is missing the required key `\(key)`" }
    public static func badIdentifier(_ what: String, _ value: String) -> String {
        "\(what) `\(value)` is not a valid name; use letters, digits, `-` and `_`, starting with a letter or digit (at most 100 characters)"
    }
    public static func badImageName(_ value: String) -> String {
        "`\(value)` is not an image name; write the name a step gives, as in `python:3.11-slim` or `nvcr.io/nvidia/pytorch:24.07-py3` (no spaces, no expressions)"
    }
    public static func badImageOverride(_ value: String) -> String {
        "`--image \(value)` is not NAME=IMAGE; write it as `--image python:3.11-slim=localhost/flow/python:3.11-bookworm`"
    }
    public static func badEnvName(_ value: String) -> String {
        "`\(value)` is not a valid environment variable name; use letters, digits and `_`, not starting with a digit"
    }
    public static func outOfRange(_ what: String, _ value: String, _ range: String) -> String { "\(what) is \(value); it must be \(range)" }
    public static func notOneOf(_ what: String, _ value: String, _ options: [String]) -> String {
        "\(what) must be one of " + options.map { "`\($0)`" }.joined(separator: ", ") + ", not `\(value)`"
    }
    public static func expressionTypeMismatch(_ input: String, _ value: String, _ why: String) -> String {
        "input `\(input)` gets `\(value.trimmingCharacters(in: .whitespaces))`, which \(why)"
    }
    public static func notOneOfAtRunTime(_ what: String, _ options: [String]) -> String {
        "\(what) must be one of " + options.map { "`\($0)`" }.joined(separator: ", ") + "; its expression gave another value"
    }
    public static func expressionNotAllowed(_ what: String) -> String {
        "expressions are not allowed in \(what); it must be known before the run starts"
    }
    public static func duplicateName(_ what: String, _ name: String) -> String { "\(what) `\(name)` is defined more than once" }
    public static func nulCharacter(_ what: String) -> String {
        "\(what) contains a NUL character (`\\0`), which no process can receive in its environment, its arguments or a script; remove it"
    }

    // MARK: Memoized steps
    public static let cacheKeyEntryShape = "an entry of `key` is text (with expressions) or `files: PATTERN`; this one is an empty mapping"
    public static func badCachePath(_ what: String, _ path: String, _ problem: String) -> String {
        "\(what) entry `\(path)` cannot be used: \(problem)"
    }

    // MARK: Durations and retries
    public static func durationEmpty(_ what: String) -> String { "\(what) is empty; write a duration such as `30s`, `5m` or `1h30m`" }
    public static func durationMalformed(_ what: String, _ t: String) -> String {
        "\(what) is `\(t)`, which is not a duration; write e.g. `30s`, `5m` or `1h30m`"
    }
    public static func durationMissingUnit(_ what: String, _ t: String) -> String {
        "\(what) is `\(t)`, which has no unit; write e.g. `\(t)s` or `\(t)m`"
    }
    public static func durationUnknownUnit(_ what: String, _ u: String, number: String) -> String {
        "\(what): `\(u)` is not a unit of time; use `ms`, `s`, `m`, `h` or `d`, e.g. `\(number)s` or `\(number)m`"
    }
    public static func durationTooLarge(_ what: String, _ t: String) -> String { "\(what) is `\(t)`, which is too large; the limit is about 31,000 years" }
    public static func durationNotPositive(_ what: String) -> String { "\(what) must be longer than zero" }

    // MARK: Sizes
    public static func byteSizeMalformed(_ what: String, _ t: String) -> String {
        "\(what) is `\(t)`, which is not a size; write e.g. `512KiB`, `10MiB` or a number of bytes"
    }
    public static func emptyPath(_ what: String) -> String { "\(what) is empty; write a path such as `Dockerfile` or `docker/Dockerfile`" }
    public static func pathDoesNotExist(_ what: String, _ path: String) -> String {
        "\(what) names `\(path)`, which does not exist (relative paths start at the step's working directory)"
    }
    public static func logLimitOutOfRange(_ size: String, min: String, max: String) -> String {
        "`log-limit` of \(size) is outside \(min) … \(max); the log keeps the first and last half of it"
    }
    public static let backoffMaxBelowInitial = "backoff `max` is shorter than `initial`; raise `max` or lower `initial`"

    // MARK: Steps
    public static func runAndUses(_ id: String) -> String { "step `\(id)` has both `run` and `uses`; keep one" }
    public static func neitherRunNorUses(_ id: String) -> String { "step `\(id)` needs `uses` (a step type) or `run` (a script)" }
    public static func unknownStepType(_ name: String) -> String { "unknown step type `\(name)`" }
    public static func cannotReadSubPipeline(_ reference: String, _ reason: String) -> String {
        "cannot read the sub-pipeline `\(reference)`: \(reason); a path after `uses: ./` starts at the project root, the folder that holds `pipelines/`"
    }
    public static func includeCycle(_ chain: [String]) -> String {
        "sub-pipelines include each other in a cycle: " + chain.joined(separator: " → ") + "; a pipeline cannot run itself, directly or not"
    }
    public static func keyNotForSubPipeline(_ key: String, _ id: String) -> String {
        "`\(key)` does not apply to step `\(id)`, which runs a sub-pipeline: it takes `uses`, `with`, `needs`, `if`, `matrix`, `name` and `description`; "
            + "set `\(key)` on the steps inside the sub-pipeline"
    }
    public static let runtimeMatrixOverSubPipeline =
        "a matrix computed at run time cannot fan out a sub-pipeline yet; write the matrix's values, or fan out inside the sub-pipeline"
    public static func matrixKeyOverSubPipeline(_ key: String) -> String {
        "`\(key)` is not supported on a matrix over a sub-pipeline yet; set it on a matrix inside the sub-pipeline, or remove it"
    }
    public static func unknownSubPipelineParam(_ name: String, _ file: String) -> String {
        "`with: \(name)`: the sub-pipeline \(file) declares no param `\(name)`"
    }
    public static func subPipelineParams(_ names: [String]) -> String {
        names.isEmpty ? "it declares no params" : "its params are " + names.map { "`\($0)`" }.joined(separator: ", ")
    }
    public static func missingSubPipelineParam(_ name: String, _ file: String) -> String {
        "the sub-pipeline \(file) needs a value for param `\(name)`, which has no default; give it under `with:`"
    }
    public static func paramValueDoesNotFitSecret(_ name: String) -> String {
        "the value given for secret param `\(name)` does not fit it (not shown: the param is secret)"
    }
    public static func knownStepTypes(_ names: [String]) -> String { "known step types: " + names.joined(separator: ", ") }
    public static func unknownNeed(_ id: String, _ need: String) -> String { "step `\(id)` needs `\(need)`, which is not a step of this pipeline" }
    public static func selfNeed(_ id: String) -> String { "step `\(id)` needs itself; remove it from its own `needs`" }
    public static func duplicateNeed(_ need: String) -> String { "`\(need)` is listed twice in `needs`" }
    public static func cycle(_ path: [String]) -> String { "steps form a cycle: " + path.joined(separator: " → ") }
    public static let cycleHint = "a step cannot (even indirectly) need a step that needs it; remove one of these `needs`"
    public static func containerOnlyForRun(_ id: String) -> String {
        "`container` applies to `run:` steps only; step `\(id)` uses a step type (container step types such as `build` and `smoke-test` take an `image` input instead)"
    }
    public static func shellOnlyForRun(_ id: String) -> String { "`shell` applies to `run:` steps only; step `\(id)` uses a step type" }
    public static func outputsOnlyForRun(_ id: String, _ type: String) -> String {
        "`outputs` declares what a `run:` script writes; step `\(id)` uses `\(type)`, whose outputs the type declares (`flow steps \(type)`)"
    }
    public static func withOnRunStep(_ id: String) -> String {
        "`with` passes inputs to a step type; step `\(id)` is a `run:` script, which reads values through `env:`"
    }
    public static let noSteps = "`steps` is empty; a pipeline needs at least one step"
    public static let stepsAsList = "a GitHub Actions job lists its steps; flow keys each step by its id: "
        + "`steps: { build: { run: make }, test: { needs: [build], run: make test } }`"
    public static func unknownInput(_ input: String, _ type: String) -> String { "step type `\(type)` has no input `\(input)`" }
    public static func missingInput(_ input: String, _ type: String) -> String { "step type `\(type)` requires the input `\(input)`; add it under `with:`" }
    public static func inputWrongType(_ what: String, expected: String, found: String) -> String {
        "\(what) must be \(expected), not \(found)"
    }
    public static func knownInputs(_ names: [String]) -> String {
        names.isEmpty ? "this step type takes no inputs" : "inputs: " + names.joined(separator: ", ")
    }

    // MARK: Matrix
    public static let matrixEmpty = "`matrix` needs at least one axis with values, e.g. `python: [\"3.10\", \"3.11\"]`"
    public static func matrixAxisEmpty(_ axis: String) -> String { "matrix axis `\(axis)` has no values" }
    public static func matrixDuplicateId(_ id: String) -> String {
        "matrix expands to the step id `\(id)` more than once; remove the repeated value"
    }
    public static let matrixNoCombinations = "`exclude` removes every combination of this matrix; the step would never run"
    public static func matrixOutputs(_ id: String) -> String {
        "`\(id)` is a matrix step with one set of outputs per combination; its outputs cannot be read as one value"
    }

    // MARK: Params, profiles, schedules
    public static func paramWrongType(_ name: String, _ kind: String, _ value: String) -> String {
        "`\(name)` is a \(kind) parameter; `\(value)` is not a \(kind)"
    }
    public static func paramWrongKind(_ name: String, _ kind: String, _ found: String) -> String {
        "`\(name)` is a \(kind) parameter; its value must be a single value, not \(found)"
    }
    public static func paramNotAnOption(_ name: String, _ value: String, _ options: [String]) -> String {
        "`\(value)` is not an option of `\(name)`; choose one of " + options.map { "`\($0)`" }.joined(separator: ", ")
    }
    public static let choiceNeedsOptions = "a `choice` parameter needs `options`, the list of allowed values"
    public static func optionsOnlyForChoice(_ name: String) -> String { "`options` applies to `choice` parameters only; `\(name)` is not one" }
    public static func unknownParam(_ name: String) -> String { "no parameter `\(name)` is declared under `params`" }
    public static func missingParamValue(_ name: String) -> String {
        "parameter `\(name)` has no default and no value; pass `--param \(name)=…` or give it a `default`"
    }
    public static func paramArgumentSyntax(_ arg: String) -> String { "`--param \(arg)` must be written as `--param NAME=VALUE`" }
    public static let declaredHere = "declared here"
    public static func unknownProfile(_ name: String) -> String { "no profile `\(name)` is defined under `profiles`" }
    public static func badCron(_ message: String) -> String { "invalid cron expression: \(message)" }
    public static func unknownTimeZone(_ zone: String) -> String { "unknown time zone `\(zone)`; use an IANA name such as `UTC` or `America/Los_Angeles`" }
    public static let catchupWindowWithoutAll = "`catchup-window` bounds `catchup: all`; it has no effect otherwise"

    // MARK: Expressions
    public static func expression(_ message: String) -> String { "invalid expression: \(message)" }
    public static func unknownContext(_ name: String) -> String {
        "unknown context `\(name)`; expressions can read params, env, steps, run, pipeline, git and matrix"
    }
    public static func unknownProperty(_ context: String, _ property: String, _ known: [String]) -> String {
        "`\(context)` has no property `\(property)`; it has " + known.map { "`\($0)`" }.joined(separator: ", ")
    }
    public static func unknownStepReference(_ id: String) -> String { "no step `\(id)` in this pipeline" }
    public static func stepNotUpstream(_ reader: String, _ step: String) -> String {
        "step `\(reader)` reads `steps.\(step)`, but `\(step)` is not upstream of it; add `\(step)` to its `needs`"
    }
    public static func ownOutputs(_ step: String) -> String {
        "step `\(step)` reads its own `steps.\(step)`, which exists only after it finishes"
    }
    public static func stepNotUpstreamOfPipeline(_ step: String) -> String {
        "pipeline-wide values cannot read `steps.\(step)`; move this into the step that needs it"
    }
    public static func undeclaredOutput(_ step: String, _ output: String, _ declared: [String]) -> String {
        "step `\(step)` declares no output `\(output)`"
            + (declared.isEmpty ? "; it declares none" : "; it declares " + declared.map { "`\($0)`" }.joined(separator: ", "))
    }
    public static func matrixOutsideMatrix() -> String { "`matrix` can only be read in a step that has a `matrix:`" }
    public static func unknownMatrixKey(_ key: String) -> String { "this step's matrix has no key `\(key)`" }
    public static let statusFunctionOutsideIf = "status functions (`success()`, `failure()`, `always()`, `cancelled()`) can only be used in `if:`"
    public static func expressionInOtherInterpreter(_ shell: String) -> String {
        "an expression cannot be used in a script run by `\(shell)`: flow substitutes expressions only in bash and sh scripts"
    }
    public static let readValueFromEnvironment =
        "pass the value through `env:` and read it with the interpreter's own environment access (os.environ['NAME'] in Python)"
    public static let conditionWithText = "`if` must be one expression; text around `${{ }}` makes it a string that is always true"

    // MARK: Expressions in scripts (where a value would be read as code)
    private static let validateFirst = "assign it to a variable and validate it first"
    private static let subscriptRuns = "where an array subscript such as `a[$(cmd)]` runs commands"
    public static let scriptArithmetic =
        "an expression cannot be used inside arithmetic (`$(( ))`, `(( ))`, `$[ ]`): bash evaluates the value "
        + "as arithmetic, \(subscriptRuns); \(validateFirst)"
    public static let scriptSubscriptOrOffset =
        "an expression cannot be used in an array subscript or a substring offset: bash evaluates it as "
        + "arithmetic, \(subscriptRuns); \(validateFirst)"
    public static let scriptLetArguments =
        "an expression cannot be used in the arguments of `let`: bash evaluates them as arithmetic, "
        + "\(subscriptRuns); \(validateFirst)"
    public static let scriptIntegerDeclaration =
        "an expression cannot be assigned with `declare -i`: bash evaluates the value as arithmetic, "
        + "\(subscriptRuns); \(validateFirst)"
    public static func scriptArithmeticTest(_ op: String) -> String {
        "an expression cannot be used in a test with `\(op)`: bash evaluates its operands as arithmetic, "
            + "\(subscriptRuns); compare strings with `==`, or \(validateFirst)"
    }
    public static func scriptCodeArguments(_ command: String) -> String {
        "an expression cannot be used in the arguments of `\(command)`: they are run as shell code, and so "
            + "would the value be; pass the value through `env:` and use it as data"
    }
    public static func scriptShellCommandString(_ command: String) -> String {
        "an expression cannot be used in the command string of `\(command) -c`: it is run as shell code; pass the "
            + "value as an argument instead: \(command) -c 'echo \"$1\"' \(command) \"${{ … }}\""
    }
    public static func scriptVariableName(_ command: String) -> String {
        "an expression cannot be used as a variable name for `\(command)`: bash evaluates a subscript in the "
            + "name as arithmetic, where `a[$(cmd)]` runs commands; use a fixed variable name"
    }
    public static let scriptParameterName = "an expression cannot be used as a parameter name in `${…}`; reference a variable by its name"
    public static let scriptHeredocDelimiter = "an expression cannot be used as a heredoc delimiter"
    public static let scriptCommandName =
        "an expression cannot be used as a command name: the value would choose the program that runs (it could "
        + "be `eval` or a shell); choose among fixed commands with `case`"
    public static func scriptProgramText(_ command: String) -> String {
        "an expression cannot be used in the program text of `\(command)`: it is read as code, and so would the value be"
    }
    public static func scriptBeforeProgram(_ command: String) -> String {
        "an expression cannot be used where `\(command)` still reads options or its program: the value could be "
            + "an option such as `-c` or `-e` that runs code, or choose the program; put it after `--` or after the "
            + "script"
    }
    public static func scriptProgramInput(_ command: String) -> String {
        "an expression cannot reach the program input of `\(command)` (its standard input, or the file a `<( )` "
            + "gives it): it reads that as code, and so would it run the value"
    }
    public static func scriptCodeVariable(_ name: String) -> String {
        "an expression cannot be assigned to `\(name)`: its value is run as code (by bash or by the program that "
            + "reads it)"
    }
    public static func scriptIndirection(_ name: String) -> String {
        "the value of `\(name)` holds this expression and `${!\(name)}` reads it as a variable name, \(subscriptRuns)"
    }
    public static func scriptPromptExpansion(_ name: String) -> String {
        "the value of `\(name)` holds this expression and `${\(name)@P}` expands it like a prompt, running any "
            + "`$(cmd)` in it"
    }
    public static let fixedCodeVariable = "give it a fixed value; pass the value in another variable that the code reads as data"
    public static func scriptValueThroughVariable(_ name: String) -> String { "the value gets here through `$\(name)`" }
    public static let scriptPassThroughEnv =
        "pass the value through `env:` and read it in the inner program from the environment: \"$NAME\" in a "
        + "shell, os.environ['NAME'] in Python, ENVIRON[\"NAME\"] in awk, $ENV{NAME} in Perl"

    // MARK: Step type definitions (steps/<name>/step.yml)
    public static func stepDefinitionNameMismatch(_ name: String, _ folder: String) -> String {
        "step type name `\(name)` does not match its folder `steps/\(folder)`; rename one so they agree"
    }
    public static func stepDefinitionShadowsBuiltin(_ name: String) -> String {
        "step type `\(name)` is built into flow; give steps/\(name) another name"
    }
    public static let stepDefinitionRunShape = "`run` must be a script file in this folder or a list of arguments"
    public static func stepDefinitionScriptMissing(_ path: String) -> String { "script `\(path)` does not exist in this step's folder" }
    public static func stepDefinitionScriptOutside(_ path: String) -> String {
        "script `\(path)` must be a file inside this step's folder (no `/` at the start, no `..`)"
    }

    // MARK: Concurrency groups
    public static func concurrencyGroupContext(_ context: String) -> String {
        "`concurrency.group` can read only `params` and `pipeline`, not `\(context)`: the group is decided before the run starts"
    }
    public static let matrixValueExpression =
        "one value of a matrix list cannot be an expression; an axis whose values come from one is written whole: `cuda: ${{ fromJSON(steps.setup.outputs.cuda) }}`"
    public static func runtimeMatrixInstanceNamed(_ name: String, _ step: String, option: String) -> String {
        "`\(name)` is an instance of `\(step)`, whose matrix is computed when the run reaches it; name the step: `\(option) \(step)` runs all its instances"
    }
    public static let runtimeMatrixOneExpression =
        "a matrix computed at run time is one `${{ }}` and nothing around it, e.g. `${{ fromJSON(steps.setup.outputs.versions) }}`"
    public static func runtimeMatrixContext(_ context: String) -> String {
        "a matrix computed at run time cannot read `\(context)`; it reads the outputs of a step it needs, params and env"
    }
    public static func stepNameContext(_ context: String) -> String {
        "a step's `name` can read only `params`, `pipeline` and `matrix`, not `\(context)`: it is shown before the step runs"
    }
    public static let stepNameEmpty = "`name` is empty; give the step a name people read, or leave `name` out (the id is shown)"
    public static let descriptionIsPlainText = "`description` is plain text; it takes no `${{ }}`"
    public static let concurrencyGroupEmpty = "`concurrency.group` is empty; name the group, e.g. `group: ${{ pipeline.name }}`"

    // MARK: Choosing steps (`run --only`, `retry --step`)
    public static func unknownStepName(_ name: String, option: String, pipeline: String) -> String {
        "`\(option) \(name)`: pipeline `\(pipeline)` has no step `\(name)`"
    }
    public static func stepsOfPipeline(_ ids: [String], limit: Int = 30) -> String {
        let shown = ids.prefix(limit).map { "`\($0)`" }.joined(separator: ", ")
        return "its steps: " + shown + (ids.count > limit ? ", … (\(ids.count - limit) more)" : "")
    }

    // MARK: Command line and files
    public static func cannotRead(_ path: String, _ reason: String) -> String { "cannot read \(path): \(reason)" }

    public static func megabytes(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1_048_576
        let rounded = (mb * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) MB" : "\(rounded) MB"
    }

    // MARK: Secrets
    public static func maskedDefinitionUnavailable(run: String, file: String, hint: String) -> String {
        "run \(run)'s definition was stored with its secret values masked, and \(file) is no longer the file it started from (changed or unreadable), so the definition cannot be restored; \(hint)"
    }
    public static func stepNameReadsSecret(_ param: String) -> String {
        "a step's `name` reads secret param `\(param)`; names show in the live view, status, JUnit and graphs, so one cannot hold a secret"
    }
    public static func concurrencyGroupReadsSecret(_ param: String) -> String {
        "`concurrency.group` reads secret param `\(param)`; a group's name shows in lock files and messages, so it cannot hold a secret"
    }
    /// `again` is the command to give again, e.g. `flow resume R`.
    public static func secretParamNeeded(run: String, param: String, again: String) -> String {
        "run \(run) was started with secret param `\(param)`; give it again: \(again) --param \(param)=…"
    }
    public static func onlySecretParams(_ param: String, verb: String, run: String) -> String {
        "`--param \(param)`: only secret params can be given to \(verb); run \(run)'s other params are stored"
    }
    public static func secretParamsOfRun(_ names: [String]) -> String {
        "its secret params: " + names.map { "`\($0)`" }.joined(separator: ", ")
    }
}
