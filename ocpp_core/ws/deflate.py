"""permessage-deflate (RFC 7692) with a bound on what one message may inflate to.

wsproto's PerMessageDeflate inflates each received chunk without a limit, so a few
kilobytes of compressed data can become gigabytes (a "zip bomb") before the layer
above sees a byte. This subclass inflates at most `max_message_size + 1` bytes per
message and answers 1009 (message too big) past that.
"""

import zlib
from typing import Union

from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason, FrameDecoder, FrameProtocol, Opcode, RsvBits


class BoundedPerMessageDeflate(PerMessageDeflate):
    """PerMessageDeflate that refuses to inflate a message beyond `max_message_size`."""

    def __init__(self, max_message_size: int) -> None:
        PerMessageDeflate.__init__(self)
        self.max_message_size = max_message_size
        self._inflated = 0  # bytes inflated so far for the current message

    def frame_inbound_header(
        self,
        proto: Union[FrameDecoder, FrameProtocol],
        opcode: Opcode,
        rsv: RsvBits,
        payload_length: int,
    ) -> Union[CloseReason, RsvBits]:
        if opcode.iscontrol():
            # Keep the state of a message in progress (see frame_inbound_complete).
            if rsv.rsv1:
                return CloseReason.PROTOCOL_ERROR
            self._inbound_is_compressible = False
            return RsvBits(True, False, False)
        return PerMessageDeflate.frame_inbound_header(self, proto, opcode, rsv, payload_length)

    def frame_inbound_payload_data(
        self, proto: Union[FrameDecoder, FrameProtocol], data: bytes
    ) -> Union[bytes, CloseReason]:
        if not self._inbound_compressed or not self._inbound_is_compressible:
            return data
        assert self._decompressor is not None
        budget = self.max_message_size - self._inflated + 1
        try:
            out = self._decompressor.decompress(bytes(data), budget)
        except zlib.error:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        self._inflated += len(out)
        if self._decompressor.unconsumed_tail or self._inflated > self.max_message_size:
            return CloseReason.MESSAGE_TOO_BIG
        return out

    def frame_inbound_complete(
        self, proto: Union[FrameDecoder, FrameProtocol], fin: bool
    ) -> Union[bytes, CloseReason, None]:
        if not self._inbound_is_compressible:
            # A control frame (ping) between two fragments of a message: wsproto's
            # base class forgets there that the message is compressed, and then
            # passes the following fragments through still compressed. Leave the
            # message state alone instead.
            return None
        if not fin:
            return None
        if not self._inbound_compressed:
            self._inbound_compressed = None
            return None
        result = PerMessageDeflate.frame_inbound_complete(self, proto, fin)
        if isinstance(result, bytes):
            # The sync-flush tail only releases what the inflater already holds;
            # count it all the same.
            self._inflated += len(result)
            if self._inflated > self.max_message_size:
                return CloseReason.MESSAGE_TOO_BIG
        self._inflated = 0
        return result
