"""Before/after evaluation of measures (cameras, lighting, safer places): did the measure work?"""
