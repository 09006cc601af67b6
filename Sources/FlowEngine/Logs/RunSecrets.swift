import Foundation

/// The secret values of one run, which can grow while it runs, and the masker for all of them.
///
/// Values known before the run starts (flow's environment, secret params, secret values written
/// in the file, the pipeline's `env:`) are there from its first byte. A step's `env:` value for
/// a secret name that an expression computes is learnt when the step starts, before its process
/// does; from then on every sink masks it: events, the database's outputs and errors, and the
/// logs, also those of steps already running (a ``StepLogWriter`` following these secrets picks
/// up the new masker at its next write). What was written before is not rewritten.
///
/// A class with a lock, shared by the coordinator, the step tasks and the log writers; every
/// read and write of its state holds the lock, so `@unchecked Sendable` is sound.
public final class RunSecrets: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    private var known = Set<String>()
    private var masker = SecretMasker(secrets: [])
    /// Counts the changes of ``masker``, so followers can tell theirs is out of date.
    private var generation = 0

    /// Secrets starting with `values`.
    public init(_ values: [String] = []) {
        learn(values)
    }

    /// Adds values (those already known, and those too short to mask, change nothing). Returns
    /// whether the masker changed.
    @discardableResult
    public func learn(_ new: some Sequence<String>) -> Bool {
        lock.withLock {
            var added = false
            for value in new where !known.contains(value) {
                known.insert(value)
                guard !SecretForms.values(of: value).isEmpty else { continue }
                values.append(value)
                added = true
            }
            if added {
                masker = SecretMasker(secrets: values)
                generation += 1
            }
            return added
        }
    }

    /// The masker for every value learnt so far.
    public var current: SecretMasker { lock.withLock { masker } }

    /// The masker and its generation when it changed since `generation`; nil otherwise.
    func masker(after generation: Int) -> (masker: SecretMasker, generation: Int)? {
        lock.withLock { self.generation == generation ? nil : (masker, self.generation) }
    }

    /// Masks `text` with every value learnt so far.
    public func mask(_ text: String) -> String { current.mask(text) }

    /// A step's outputs with their names masked as well as their values. Should two names mask
    /// to the same one, the first name (in byte order) keeps it and the others are dropped.
    public func mask(outputs: [String: String]) -> [String: String] {
        let masker = current
        guard !masker.isEmpty else { return outputs }
        var masked: [String: String] = [:]
        for name in outputs.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let key = masker.mask(name)
            if masked[key] == nil { masked[key] = masker.mask(outputs[name]!) }
        }
        return masked
    }
}
