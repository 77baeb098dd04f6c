import { z } from 'zod';

// In a browser the pages' CSP allows no eval: zod would probe `Function('')` to decide whether to compile its
// parsers, and the probe is reported as a CSP violation. Its interpreted mode needs no probe. Node and workerd keep
// the compiled parsers (workerd is skipped by zod itself).
if ('document' in globalThis || 'importScripts' in globalThis) z.config({ jitless: true });

/** The one result document shared by the browser, the CLI and the API. Bump the suffix on breaking changes. */
export const SCHEMA_ID = 'kleinscope/analysis@1';

// Generous caps: they bound what a public endpoint accepts, not what honest analyses produce
// (100k filters at p=30 give a 30k-point core).
const MAX_POINTS = 200_000;
/** The largest Mapper graph a document holds; the pipeline refuses a cover that would make a larger one. */
export const MAX_NODES = 20_000;
export const MAX_EDGES = 200_000;
/** Cores up to this many points keep their filters in the document (18,000 numbers, about 200 kB of JSON). */
export const MAX_CORE_FILTERS = 2000;
const MAX_BARS = 100_000;

/**
 * The largest magnitude of any number in a document. Honest values are far smaller (distances on S^7 are at most
 * 2, timings are milliseconds), and the bound is what lets every consumer compute without overflow: differences,
 * squares and sums of 200,000 of them stay finite, and axes spanning -MAX..MAX have finite ticks.
 */
export const MAX_MAGNITUDE = 1e12;
/** Keys of `timings` and of a node's `attributes`: each is a row or a menu entry in the views. */
export const MAX_TIMINGS = 64;
export const MAX_ATTRIBUTES = 32;

const num = z.number().finite().min(-MAX_MAGNITUDE).max(MAX_MAGNITUDE);
// zod's int() is already limited to safe integers (below 2^53).
const count = z.number().int().nonnegative();
const filter9 = z.array(num).length(9);
/** A lone UTF-16 surrogate is not Unicode: strict JSON parsers refuse the \udXXX escape that would carry it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !LONE_SURROGATE.test(s), { message: 'contains a lone surrogate (not valid Unicode text)' });
const fewKeys = (max: number) => (record: Record<string, unknown>) => Object.keys(record).length <= max;

export const sourceSchema = z.object({
  kind: z.enum(['training', 'model', 'file', 'synthetic']),
  dataset: text(80),
  architecture: text(80).optional(),
  runs: count.optional(),
  step: count.optional(),
  layer: z.number().int().positive().optional(),
  layerName: text(200).optional(),
  kernelShape: z.array(z.number().int().positive()).max(4).optional(),
  /** Set when the layer had more slices than the pipeline takes and a seeded subsample was analysed. */
  subsample: z.object({ of: count, taken: count, seed: z.number().int() }).optional(),
  file: text(500).optional(),
});

export const preprocessingSchema = z.object({
  nInput: count,
  nNearZero: count,
  nKept: count,
  /** Filters whose centred norm is below this are dropped as near zero. */
  normThreshold: num.nonnegative(),
  coordinates: z.literal('dct8'),
  k: z.number().int().positive(),
  p: num.positive().max(100),
  nCore: count,
  /** The input index (0-based, before dropping near-zero filters) of each core point, in core order. */
  coreInput: z.array(count).max(MAX_POINTS).optional(),
  /**
   * The core's filters as analysed (9 numbers each, in core order), kept when the core is small enough
   * (MAX_CORE_FILTERS points), so a shared result shows a node's real members.
   */
  coreFilters: z
    .array(num)
    .max(9 * MAX_CORE_FILTERS)
    .refine((a) => a.length % 9 === 0, { message: 'must hold 9 numbers per filter' })
    .optional(),
});

export const mapperNodeSchema = z.object({
  id: count,
  size: z.number().int().positive(),
  /** Indices into the core (the order of modelFit.primaryCircle.angles), never copies of filters. */
  members: z
    .array(count)
    .max(MAX_POINTS)
    .refine((m) => new Set(m).size === m.length, { message: 'a node lists a member twice' }),
  meanFilter: filter9,
  density: num,
  lens: z.array(num).max(8),
  attributes: z
    .record(text(40), num)
    .refine(fewKeys(MAX_ATTRIBUTES), { message: `at most ${MAX_ATTRIBUTES} attributes per node` })
    .optional(),
});

export const mapperSchema = z.object({
  lens: text(40),
  /** Intervals per lens axis (the largest, when `resolutions` differ); 1 for Ball Mapper, which has no cover. */
  resolution: z.number().int().positive().max(1000),
  gain: num.positive().max(100),
  clustering: text(40),
  // The fields below are absent from documents made before the automatic choice; all are optional.
  /** 'auto': resolution, gain and scale were chosen from the data (Carriere-Michel-Oudot); 'fixed': given. */
  chosen: z.enum(['auto', 'fixed']).optional(),
  resolutions: z.array(z.number().int().positive().max(1000)).max(8).optional(),
  /** The single-linkage cut height (automatic choice), or Ball Mapper's epsilon. */
  scale: num.nonnegative().optional(),
  selection: z
    .object({
      method: text(100),
      repetitions: count,
      subsampleSize: count,
      estimatedOn: count,
      overlap: num.min(0).max(1),
      lensSpread: z.array(num.nonnegative()).max(8),
      /** The rule's own resolution per axis, before the cap on cover sets. */
      finest: z.array(z.number().int().positive()).max(8).optional(),
    })
    .optional(),
  /** Betti numbers of the graph's flag complex: components and independent loops not filled by triangles. */
  components: count.optional(),
  loops: count.optional(),
  /** Share of the core in the component that holds the most of it. */
  largestComponentShare: num.min(0).max(1).optional(),
  bootstrap: z
    .object({
      resamples: count,
      /** The node height of the extended persistence diagrams. */
      height: text(40),
      /** Bottleneck distance of each resample's graph to this one. */
      distances: z.array(num.nonnegative()).max(1000),
      /** Each resample's graph's number of loops (absent from documents made before it was kept). */
      loopCounts: z.array(count).max(1000).optional(),
      /** The graph's loops, longest first, with the share of resamples each survives (persistence > 2 d_b). */
      loops: z
        .array(z.object({ birth: num, death: num, persistence: num.nonnegative(), survival: num.min(0).max(1) }))
        .max(MAX_EDGES),
    })
    .optional(),
  nodes: z
    .array(mapperNodeSchema)
    .max(MAX_NODES)
    // Views key nodes by id: two nodes with one id would break the page.
    .refine((nodes) => new Set(nodes.map((n) => n.id)).size === nodes.length, {
      message: 'two nodes have the same id',
    }),
  edges: z.array(z.tuple([count, count, num.nonnegative()])).max(MAX_EDGES),
});

/** A bar is [birth, death]; death null means the class never dies (an essential class). */
export const barSchema = z
  .tuple([num, num.nullable()])
  // A class cannot die before it is born; diagram distances refuse such a bar, so a stored one would break every
  // comparison with its document.
  .refine(([birth, death]) => death === null || death >= birth, { message: 'a bar cannot die before it is born' });

/**
 * The representative cocycle of one of the longest H1 bars: `bar` indexes diagrams[1], `edges` are pairs of core
 * points (the order of modelFit.primaryCircle.angles) with a non-zero coefficient. `truncated`: edges were dropped
 * to keep the document small.
 */
export const storedCocycleSchema = z.object({
  bar: count,
  birth: num,
  death: num.nullable(),
  edges: z.array(z.tuple([count, count])).max(5000),
  truncated: z.boolean().optional(),
});

/**
 * How sure the barcode's answer is: the density core and persistence rerun on resamples of the input, drawn at its
 * independent unit (training runs, fresh subsamples of a large layer, or filters), and read by one rule
 * (src/lib/tda/confidence.ts). Absent from documents made before it existed, or with resampling turned off.
 */
export const confidenceSchema = z.object({
  resamples: z.number().int().min(1).max(1000),
  unit: z.enum(['runs', 'subsample', 'filters']),
  /** Coverage of the ratio's interval (0.9: from the 5% to the 95% quantile over the resamples). */
  level: z.number().gt(0).lt(1),
  /** The rule that made `significant`, in words (and its threshold), so a reader need not find the code. */
  rule: text(300),
  /**
   * The Mapper graph's loop count on each resample (rebuilt as the document's graph, analysis/graphLoops.ts);
   * absent where it is not rebuilt (codensity and circular lenses, cores above 2,000 points, older documents).
   */
  graphLoops: z.array(count).max(1000).optional(),
  dims: z
    .array(
      z.object({
        dim: z.number().int().min(0).max(3),
        /** The number of classes of this dimension the resamples support (median over them). */
        significant: z.number().int().min(0).max(10),
        /** frequency[s]: share of resamples that showed s classes. */
        frequency: z.array(num.min(0).max(1)).max(11),
        /** Share of resamples that showed `significant` classes. */
        agreement: num.min(0).max(1),
        /** Longest bar over the next: on the full data, and its interval over the resamples (null: fewer than 2 bars). */
        ratio: z.object({
          value: num.positive().nullable(),
          low: num.positive().nullable(),
          high: num.positive().nullable(),
        }),
        /**
         * lengths[r]: the central interval (at `level`) of the (r+1)-th longest bar's length over the resamples, for
         * the few longest ranks: the barcode's whiskers. Absent from documents made before they were kept.
         */
        lengths: z
          .array(z.object({ low: num.nonnegative(), high: num.nonnegative() }))
          .max(11)
          .optional(),
      }),
    )
    .max(4),
});

export const persistenceSchema = z.object({
  complex: z.enum(['rips', 'witness']),
  modulus: z.number().int().min(2).max(255),
  threshold: num.nonnegative().nullable(),
  maxDim: z.number().int().min(0).max(3),
  nPoints: count,
  landmarks: count.optional(),
  diagrams: z.array(z.array(barSchema).max(MAX_BARS)).max(4),
  /** Cocycles of the longest H1 bars (absent from documents made before they were kept). */
  cocycles: z.array(storedCocycleSchema).max(8).optional(),
  confidence: confidenceSchema.optional(),
});

export const histogramSchema = z.object({
  min: num,
  max: num,
  counts: z.array(count).max(1000),
});

export const modelFitSchema = z.object({
  primaryCircle: z.object({
    /** Angle of each core filter on the circle of linear gradients, radians in [0, 2pi). */
    angles: z.array(num).max(MAX_POINTS),
    /** Euclidean distance of each core filter (on S^7) to the circle. */
    distances: z.array(num).max(MAX_POINTS),
    angleHistogram: histogramSchema,
    distanceHistogram: histogramSchema,
    meanDistance: num,
    /** Share of core filters within pi/12 of a horizontal or vertical edge. */
    shareHorizontalVertical: num.min(0).max(1),
  }),
  kleinBottle: z.object({
    t1: z.array(num).max(MAX_POINTS),
    t2: z.array(num).max(MAX_POINTS),
    errors: z.array(num).max(MAX_POINTS),
    errorHistogram: histogramSchema,
    meanError: num,
  }),
});

const patternClassSchema = z.object({
  count,
  share: num.min(0).max(1),
  /** Row-major 3x3, each member's sign aligned first (see tda/patternAtlas.ts). */
  meanFilter: filter9,
});

/**
 * What each core filter is (tda/patternAtlas.ts): on the Klein bottle (edge, line or other), a centre-surround
 * bulls-eye, or off. The tolerances are stored with the numbers so a document says what its shares mean.
 */
export const patternAtlasSchema = z.object({
  /** Degrees: distance to the Klein bottle, t2 window of edges and lines, distance to +-centre tap. */
  tolerances: z.object({ klein: num.positive(), edgeLine: num.positive(), centre: num.positive() }),
  classes: z.object({
    klein: patternClassSchema,
    edge: patternClassSchema,
    line: patternClassSchema,
    centre: patternClassSchema,
    other: patternClassSchema,
    off: patternClassSchema,
  }),
  /** Each core point's class, in core order: 0 edge, 1 line, 2 other on the Klein bottle, 3 centre, 4 off. */
  labels: z.array(z.number().int().min(0).max(4)).max(MAX_POINTS),
});

export const resultSchema = z.object({
  schema: z.literal(SCHEMA_ID),
  title: text(200).optional(),
  description: text(5000).optional(),
  createdAt: z.iso.datetime(),
  generator: text(100).optional(),
  source: sourceSchema,
  preprocessing: preprocessingSchema,
  mapper: mapperSchema,
  persistence: persistenceSchema,
  modelFit: modelFitSchema,
  /** Absent from documents made before the atlas. */
  patternAtlas: patternAtlasSchema.optional(),
  /** Milliseconds per pipeline stage. */
  timings: z
    .record(text(40), num.nonnegative())
    .refine(fewKeys(MAX_TIMINGS), { message: `at most ${MAX_TIMINGS} timings` }),
});

export type ResultDocument = z.infer<typeof resultSchema>;
export type Source = z.infer<typeof sourceSchema>;
export type MapperGraph = z.infer<typeof mapperSchema>;
export type MapperNode = z.infer<typeof mapperNodeSchema>;
export type PersistenceSummary = z.infer<typeof persistenceSchema>;
export type Confidence = z.infer<typeof confidenceSchema>;
export type ModelFit = z.infer<typeof modelFitSchema>;
export type PatternAtlasDoc = z.infer<typeof patternAtlasSchema>;
export type Bar = z.infer<typeof barSchema>;
export type StoredCocycle = z.infer<typeof storedCocycleSchema>;
export type Histogram = z.infer<typeof histogramSchema>;
