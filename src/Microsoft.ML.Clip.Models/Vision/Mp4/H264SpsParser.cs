namespace Microsoft.ML.Clip.Vision.Mp4;

/// <summary>
/// Parses an H.264 sequence parameter set NAL unit (H.264 §7.3.2.1.1, VUI §E.1.1) as far as the video signal type.
/// Returns null for anything the probe does not take on (interlaced coding, left/top cropping, separate colour planes,
/// different luma/chroma depths, invalid values); the caller then asks ffprobe.
/// </summary>
internal static class H264SpsParser
{
    // Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists (§7.3.2.1.1).
    private static readonly int[] HighProfiles = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

    /// <summary>Parses <paramref name="nal"/> (header byte included, emulation prevention still in), or null.</summary>
    public static H264Sps? TryParse(ReadOnlySpan<byte> nal)
    {
        if (nal.Length < 4 || (nal[0] & 0x1F) != 7)
        {
            return null;
        }

        try
        {
            return Parse(Unescape(nal[1..]));
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The RBSP: every 0x000003 becomes 0x0000 (the 3 is an emulation-prevention byte, §7.4.1).</summary>
    public static byte[] Unescape(ReadOnlySpan<byte> payload)
    {
        var rbsp = new byte[payload.Length];
        int length = 0;
        int zeros = 0;
        foreach (byte b in payload)
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            rbsp[length++] = b;
        }

        return rbsp[..length];
    }

    private static H264Sps? Parse(ReadOnlySpan<byte> rbsp)
    {
        var bits = new BitReader(rbsp);
        int profile = (int)bits.Bits(8);
        bits.Bits(8);                     // constraint flags, reserved
        bits.Bits(8);                     // level_idc
        if (bits.UnsignedGolomb() > 31)   // seq_parameter_set_id
        {
            return null;
        }

        int chromaFormat = 1;
        int bitDepth = 8;
        if (Array.IndexOf(HighProfiles, profile) >= 0)
        {
            chromaFormat = (int)bits.UnsignedGolomb();
            if (chromaFormat > 3 || (chromaFormat == 3 && bits.Flag()))   // separate_colour_plane_flag
            {
                return null;
            }

            uint lumaDepth = bits.UnsignedGolomb() + 8;
            uint chromaDepth = bits.UnsignedGolomb() + 8;
            if (lumaDepth > 14 || lumaDepth != chromaDepth)
            {
                return null;
            }

            bitDepth = (int)lumaDepth;
            bits.Flag();                  // qpprime_y_zero_transform_bypass_flag
            if (bits.Flag())              // seq_scaling_matrix_present_flag
            {
                int lists = chromaFormat != 3 ? 8 : 12;
                for (int i = 0; i < lists; i++)
                {
                    if (bits.Flag())
                    {
                        SkipScalingList(ref bits, i < 6 ? 16 : 64);
                    }
                }
            }
        }

        if (bits.UnsignedGolomb() > 12)   // log2_max_frame_num_minus4
        {
            return null;
        }

        uint pocType = bits.UnsignedGolomb();
        if (pocType == 0)
        {
            if (bits.UnsignedGolomb() > 12)   // log2_max_pic_order_cnt_lsb_minus4
            {
                return null;
            }
        }
        else if (pocType == 1)
        {
            bits.Flag();                  // delta_pic_order_always_zero_flag
            bits.SignedGolomb();          // offset_for_non_ref_pic
            bits.SignedGolomb();          // offset_for_top_to_bottom_field
            uint cycle = bits.UnsignedGolomb();
            if (cycle > 255)
            {
                return null;
            }

            for (uint i = 0; i < cycle; i++)
            {
                bits.SignedGolomb();      // offset_for_ref_frame[i]
            }
        }
        else if (pocType != 2)
        {
            return null;
        }

        bits.UnsignedGolomb();            // max_num_ref_frames
        bits.Flag();                      // gaps_in_frame_num_value_allowed_flag
        long widthInMbs = bits.UnsignedGolomb() + 1L;
        long heightInMapUnits = bits.UnsignedGolomb() + 1L;
        if (!bits.Flag())                 // frame_mbs_only_flag: interlaced coding is left to ffprobe
        {
            return null;
        }

        bits.Flag();                      // direct_8x8_inference_flag
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (bits.Flag())                  // frame_cropping_flag
        {
            cropLeft = bits.UnsignedGolomb();
            cropRight = bits.UnsignedGolomb();
            cropTop = bits.UnsignedGolomb();
            cropBottom = bits.UnsignedGolomb();
        }

        // ffmpeg trims left/top cropping for alignment and ignores invalid cropping: not the common case.
        if (cropLeft != 0 || cropTop != 0)
        {
            return null;
        }

        // Crop units (§7.4.2.1.1, frame_mbs_only_flag = 1): SubWidthC × SubHeightC samples of 4:2:0/4:2:2, 1 otherwise.
        int cropUnitX = chromaFormat is 1 or 2 ? 2 : 1;
        int cropUnitY = chromaFormat == 1 ? 2 : 1;
        long width = (widthInMbs * 16) - (cropUnitX * cropRight);
        long height = (heightInMapUnits * 16) - (cropUnitY * cropBottom);
        if (widthInMbs > 1024 || heightInMapUnits > 1024 || width <= 0 || height <= 0)
        {
            return null;
        }

        bool? fullRange = null;
        int? matrix = null;
        if (bits.Flag())                  // vui_parameters_present_flag
        {
            if (bits.Flag() && bits.Bits(8) == 255)   // aspect_ratio_info_present_flag, aspect_ratio_idc = Extended_SAR
            {
                bits.Bits(16);
                bits.Bits(16);
            }

            if (bits.Flag())              // overscan_info_present_flag
            {
                bits.Flag();
            }

            if (bits.Flag())              // video_signal_type_present_flag
            {
                bits.Bits(3);             // video_format
                fullRange = bits.Flag();
                if (bits.Flag())          // colour_description_present_flag
                {
                    bits.Bits(8);         // colour_primaries
                    bits.Bits(8);         // transfer_characteristics
                    matrix = (int)bits.Bits(8);
                }
            }
        }

        return new H264Sps((int)width, (int)height, chromaFormat, bitDepth, fullRange, matrix);
    }

    /// <summary>scaling_list() of §7.3.2.1.1.1: deltas until the next scale is 0.</summary>
    private static void SkipScalingList(ref BitReader bits, int size)
    {
        long lastScale = 8;
        long nextScale = 8;
        for (int j = 0; j < size; j++)
        {
            if (nextScale != 0)
            {
                long delta = bits.SignedGolomb();
                if (delta < -128 || delta > 127)
                {
                    throw new InvalidDataException("A scaling-list delta is out of range.");
                }

                nextScale = (lastScale + delta + 256) % 256;
            }

            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }
}
