using Microsoft.ML.Transforms;

// Found by Microsoft.ML.Clip's ClipInputConverters when the application references this package: no call needed.
[assembly: ClipInputConverter(typeof(MLImageInputConverter))]
