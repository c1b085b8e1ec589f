/** Where a directive or a parameter was written, for error messages. */
export interface SourceLocation {
  file: string;
  line: number;
}

/**
 * One section of a parsed config (Fluentd's Config::Element): `<name arg>` with its `key value` attributes and
 * nested sections. The root is named `ROOT`. Values stay the strings the parser produced; plugins convert them.
 */
export interface ConfigElement {
  name: string;
  arg: string;
  attrs: Record<string, string>;
  elements: ConfigElement[];
  /** Where `<name arg>` was written (for ROOT: the top file, line 0). */
  location: SourceLocation;
  /** Where each attribute was (last) set. */
  attrLocations: Record<string, SourceLocation>;
  /** Attributes written as "#{use_nil}": explicitly unset, so neither a value nor the default applies. */
  nils: Set<string>;
}

export function newElement(name: string, arg: string, location: SourceLocation): ConfigElement {
  return { name, arg, attrs: {}, elements: [], location, attrLocations: {}, nils: new Set() };
}
