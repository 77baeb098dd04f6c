import { z } from 'zod';

const verdictKind = z.enum(['circle', 'classes', 'none', 'undecided']);
import { MAX_MAGNITUDE, sourceSchema } from './schema';

/**
 * A whole network's layer profile as one document (figure 6 of the paper): every 3x3 layer's measures, pattern
 * atlas and a small Mapper thumbnail, in network order. Same family as the layer result (`kleinscope/analysis@1`);
 * the `schema` field names the kind. The model is named by its base name only, never a path on someone's machine.
 */
export const PROFILE_SCHEMA_ID = 'kleinscope/profile@1';

/** A network with more 3x3 layers than this is not one figure; ResNet-152 has 151. */
export const MAX_PROFILE_LAYERS = 400;
/** Thumbnails are drawn small: more nodes than this would be specks, and would bloat the document. */
export const MAX_THUMBNAIL_NODES = 600;
export const MAX_THUMBNAIL_EDGES = 3000;

const num = z.number().finite().min(-MAX_MAGNITUDE).max(MAX_MAGNITUDE);
const count = z.number().int().nonnegative();
const share = num.min(0).max(1);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !LONE_SURROGATE.test(s), { message: 'contains a lone surrogate (not valid Unicode text)' });
/** A base name: no folder, so a published profile never shows where the model sat on a machine. */
const baseName = text(200).refine((s) => !/[\\/]/.test(s), { message: 'must be a base name, without folders' });

const patternClass = z.object({ count, share, meanFilter: z.array(num).length(9) });

export const profileLayerSchema = z.object({
  layer: z.number().int().positive(),
  name: text(200),
  kind: z.enum(['conv2d', 'depthwise', 'transpose']),
  kernelShape: z.array(z.number().int().positive()).length(4),
  nFilters: count,
  /** Filters analysed (a seeded subsample's size for a large layer); null when the layer was not analysed. */
  analysed: count.nullable(),
  /** Why the layer has no measures. */
  error: text(500).nullable(),
  measures: z
    .object({
      nCore: count,
      h1Bars: count,
      /** The two longest H1 bars (essential bars count up to the threshold); dominance is longest / second. */
      longest: num.nonnegative().nullable(),
      second: num.nonnegative().nullable(),
      nearCircle: share,
      kleinError: num.nonnegative(),
      mapperNodes: count,
      mapperEdges: count,
    })
    .nullable(),
  /** The layer's pattern atlas (tda/patternAtlas.ts) without its per-filter labels. */
  patterns: z
    .object({
      tolerances: z.object({ klein: num.positive(), edgeLine: num.positive(), centre: num.positive() }),
      classes: z.object({
        klein: patternClass,
        edge: patternClass,
        line: patternClass,
        centre: patternClass,
        other: patternClass,
        off: patternClass,
      }),
    })
    .nullable(),
  /**
   * The H1 verdict: from the layer result's resampled confidence when it has one, else the raw longest/next ratio
   * of the one sample analysed (no resampling, no interval).
   */
  verdict: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('resampled'),
        resamples: count,
        unit: text(40),
        level: share,
        significant: count,
        ratio: z.object({ value: num.nullable(), low: num.nullable(), high: num.nullable() }),
        /** The one rule's verdict (analysis/verdict.ts), which also weighs how many resamples agree. */
        verdict: verdictKind.optional(),
      }),
      z.object({ kind: z.literal('one sample'), ratio: num.nullable(), verdict: verdictKind.optional() }),
    ])
    .optional(),
  /**
   * The Mapper graph drawn small, in a 64 x 56 box: nodes [x, y, radius, primary-circle angle or null], edges as
   * pairs of node indices. Null when the graph has more nodes than MAX_THUMBNAIL_NODES.
   */
  thumbnail: z
    .object({
      nodes: z.array(z.tuple([num, num, num.nonnegative(), num.nullable()])).max(MAX_THUMBNAIL_NODES),
      edges: z.array(z.tuple([count, count])).max(MAX_THUMBNAIL_EDGES),
    })
    .refine((t) => t.edges.every(([a, b]) => a < t.nodes.length && b < t.nodes.length), {
      message: 'an edge names a node the thumbnail does not have',
    })
    .nullable(),
  /** The id of this layer's own analysis where it was published with the profile. */
  result: text(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

export const profileSchema = z.object({
  schema: z.literal(PROFILE_SCHEMA_ID),
  title: text(200).optional(),
  description: text(5000).optional(),
  createdAt: z.iso.datetime(),
  generator: text(100).optional(),
  /** kind 'model', the dataset, and the model's base name as architecture and file (no layer: all of them). */
  source: sourceSchema.refine((s) => s.file === undefined || !/[\\/]/.test(s.file), {
    message: 'file must be a base name, without folders',
  }),
  model: z.object({
    name: baseName,
    /** Where a browser can fetch the model to recompute a layer's analysis (http or https). */
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
  }),
  /** The analysis options every layer shared. */
  options: z.object({
    k: z.number().int().positive(),
    p: num.positive().max(100),
    maxFilters: z.number().int().positive(),
    seed: z.number().int(),
    landmarks: z.number().int().positive(),
  }),
  layers: z.array(profileLayerSchema).min(1).max(MAX_PROFILE_LAYERS),
});

export type ProfileDocument = z.infer<typeof profileSchema>;
export type ProfileLayer = z.infer<typeof profileLayerSchema>;
