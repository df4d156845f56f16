"""Value formatting shared by hand-written renderers of hot responses, identical to DRF's
fields (money as a two-place string, timestamps in ISO 8601 with `Z`), so a fast path and the
documented serializer always print the same JSON."""

from rest_framework import serializers

money_text = serializers.DecimalField(max_digits=14, decimal_places=2).to_representation
timestamp_text = serializers.DateTimeField().to_representation
