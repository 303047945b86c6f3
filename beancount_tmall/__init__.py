"""beancount-tmall: plain-text, git-kept books for a Tmall/Taobao store on Beancount 3."""

__version__ = "0.4.0"
