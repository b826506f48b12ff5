/** A picture's size in pixels, as a bitstream declares it. */
export interface PictureSize {
  width: number;
  height: number;
}

/** What an SPS says that decides whether players can take the stream as it is (top-rung passthrough). */
export interface H264Facts extends PictureSize {
  profileIdc: number;
  /** constraint_set0..5 flags and the reserved bits, as the byte in the SPS (and in avc1.PPCCLL). */
  constraintFlags: number;
  levelIdc: number;
}

/** A sequence parameter set that ends early or breaks a bound of the standard. */
class InvalidSps extends Error {}

/** Profiles whose SPS carries chroma format, bit depths and scaling lists (H.264 §7.3.2.1.1). */
const HIGH_PROFILES: ReadonlySet<number> = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
const NAL_SPS = 7;
/** The standard's bound on num_ref_frames_in_pic_order_cnt_cycle: a larger count is not an SPS but a loop to spin in. */
const MAX_POC_CYCLE = 255;

/** Reads bits from an RBSP (emulation prevention bytes removed); reading past its end throws InvalidSps. */
class BitReader {
  private bit = 0;

  constructor(private readonly bytes: Buffer) {}

  u(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.bit >> 3];
      if (byte === undefined) throw new InvalidSps('the SPS ends early');
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return value;
  }

  /** Unsigned Exp-Golomb (§9.1); at most 32 bits of value, as the standard's syntax elements need. */
  ue(max = 0xfffffffe): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new InvalidSps('an Exp-Golomb code is too long');
    const value = 2 ** zeros - 1 + this.u(zeros);
    if (value > max) throw new InvalidSps(`a value of ${value} is out of range`);
    return value;
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 0 ? -(k / 2) : (k + 1) / 2;
  }
}

/** The RBSP of a NAL unit: every 00 00 03 loses its 03 (§7.4.1). */
function rbsp(nal: Buffer): Buffer {
  const out = Buffer.alloc(nal.length);
  let length = 0;
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out[length++] = nal[i]!;
  }
  return out.subarray(0, length);
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * The picture size an H.264 sequence parameter set declares, cropping applied (ITU-T H.264 §7.3.2.1.1
 * and §7.4.2.1.1), from the NAL unit with its header byte. Undefined when it is no SPS, ends early or
 * breaks the standard's bounds: it comes from publishers, so it is read defensively.
 */
export function h264SpsSize(nal: Buffer): PictureSize | undefined {
  const facts = h264SpsFacts(nal);
  return facts && { width: facts.width, height: facts.height };
}

/** The picture size with the profile, constraint flags and level (the SPS's first three bytes), read as h264SpsSize. */
export function h264SpsFacts(nal: Buffer): H264Facts | undefined {
  if (((nal[0] ?? 0) & 0x1f) !== NAL_SPS) return undefined;
  try {
    const size = readSize(new BitReader(rbsp(nal.subarray(1))));
    return size && { ...size, profileIdc: nal[1]!, constraintFlags: nal[2]!, levelIdc: nal[3]! };
  } catch (err) {
    if (err instanceof InvalidSps) return undefined;
    throw err;
  }
}

function readSize(r: BitReader): PictureSize | undefined {
  const profile = r.u(8);
  r.u(16); // constraint flags, level_idc
  r.ue(31); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlanes = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue(3);
    if (chromaFormat === 3) separateColourPlanes = r.u(1) === 1;
    r.ue(14); // bit_depth_luma_minus8
    r.ue(14); // bit_depth_chroma_minus8
    r.u(1); // qpprime_y_zero_transform_bypass_flag
    if (r.u(1) === 1) {
      for (let i = 0; i < (chromaFormat === 3 ? 12 : 8); i++) if (r.u(1) === 1) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(12); // log2_max_frame_num_minus4
  const pocType = r.ue(2);
  if (pocType === 0) r.ue(12); // log2_max_pic_order_cnt_lsb_minus4
  else if (pocType === 1) {
    r.u(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue(MAX_POC_CYCLE);
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.ue(0xffff) + 1;
  const heightInMapUnits = r.ue(0xffff) + 1;
  const frameMbsOnly = r.u(1);
  if (frameMbsOnly === 0) r.u(1); // mb_adaptive_frame_field_flag
  r.u(1); // direct_8x8_inference_flag
  const crop = r.u(1) === 1 ? { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() } : { left: 0, right: 0, top: 0, bottom: 0 };
  // Crop units (Table 6-1): chroma samples, or luma ones without chroma.
  const monochrome = chromaFormat === 0 || separateColourPlanes;
  const cropX = monochrome || chromaFormat === 3 ? 1 : 2;
  const cropY = (monochrome || chromaFormat !== 1 ? 1 : 2) * (2 - frameMbsOnly);
  const width = widthInMbs * 16 - cropX * (crop.left + crop.right);
  const height = (2 - frameMbsOnly) * heightInMapUnits * 16 - cropY * (crop.top + crop.bottom);
  return width > 0 && height > 0 ? { width, height } : undefined;
}
