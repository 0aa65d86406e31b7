/** A product lifecycle list as read from its file (src/lifecycle/file.ts); plain data, no imports. */
export interface LifecycleVersion {
  version: string;
  /** The major version it belongs to: `major:` in the file, else the version's first number. */
  major: number;
  /** YYYY-MM-DD: General Availability, "start of the new product version sales". */
  ga: string;
  /** YYYY-MM-DD: End of Sales, null while not announced. */
  eos: string | null;
}

export interface LifecycleProduct {
  name: string;
  aliases: string[];
  /** The whole support period's floor in years (0: the product's life cycle states no floor). */
  minimumSupportYears: number;
  versions: LifecycleVersion[];
}

export interface LifecycleTable {
  /** The file it was read from, for messages. */
  file: string;
  products: LifecycleProduct[];
}
