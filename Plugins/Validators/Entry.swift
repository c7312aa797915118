import SynthKit

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer {
    exportPlugins(FidelityValidator.self, QualityValidator.self)
}
