// The layer's /opt/wrapper.js.
require('@aws/aws-distro-opentelemetry-node-autoinstrumentation/register');
