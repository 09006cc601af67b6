/// Services a step type needs that the engine does not know about (the HTTP and AWS clients,
/// a container engine), handed in by whoever starts the run and reached by a key type. The
/// engine only carries them, so it stays free of networks and containers; a test hands in its
/// own.
public struct StepResources: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: StepResourceKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// Names one kind of value in ``StepResources``.
public protocol StepResourceKey {
    associatedtype Value: Sendable
}
